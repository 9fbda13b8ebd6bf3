import { Get, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { AccessScope } from '../../../auth/access';
import { Access, RequiresScope } from '../../../auth/auth.decorators';
import { CustomersController } from '../../customers-api';
import { SCOPE_READ } from '../../../auth/principal';
import { CustomerResponse } from '../../customer.responses';
import { CustomerView } from '../../customer.views';
import { entityTag } from '../../../http/request-headers';
import { GuidParam } from '../../../http/guid-param';
import { ApiErrors } from '../../../http/error-body.dto';
import * as rules from '../../../fields/field-rules';
import { QueryValues, single } from '../../../http/query-params';
import { AcceptsQuery, ParsedQuery } from '../../../http/query.decorators';
import { ApiReadModelBehind } from '../read-your-writes';
import { GetCustomerQuery } from './get-customer.query';

const PARAMS = {
  min_version: single(rules.integer(1, 2_147_483_647), {
    type: 'integer',
    description: 'Read-your-writes: wait (up to MIN_VERSION_WAIT_MS, default 3 s) until the customer has at least this version, e.g. the ETag of your last write.',
    schema: { minimum: 1 },
  }),
};

@CustomersController()
export class GetCustomerController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':customer_guid')
  @RequiresScope(SCOPE_READ)
  @ApiOperation({ summary: 'One customer, disabled or not (read model). ETag: its version.' })
  @AcceptsQuery(PARAMS)
  @ApiOkResponse({ type: CustomerResponse })
  @ApiErrors(400, 401, 403, 404, 429)
  @ApiReadModelBehind()
  async get(
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @GuidParam('customer_guid') customerGuid: string,
    @ParsedQuery() { min_version }: QueryValues<typeof PARAMS>,
    @Access() scope: AccessScope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerView> {
    const customer = await this.queries.execute(new GetCustomerQuery(scope, customerGuid, min_version));
    void reply.header('etag', entityTag(customer.version));
    return customer;
  }
}
