import { Get, HttpStatus, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { AccessScope } from '../../../auth/access';
import { Access, RequiresScope } from '../../../auth/auth.decorators';
import { CustomersController } from '../../customers-api';
import { SCOPE_READ } from '../../../auth/principal';
import { CustomerResponse } from '../../customer.responses';
import { CustomerView } from '../../customer.views';
import { entityTag } from '../../../http/request-headers';
import { GuidParam } from '../../../http/guid-param';
import { ApiErrors, ErrorBodyDto } from '../../../http/error-body.dto';
import * as rules from '../../../fields/field-rules';
import { QueryValues, single } from '../../../http/query-params';
import { AcceptsQuery, ParsedQuery } from '../../../http/query.decorators';
import { GetCustomerQuery } from './get-customer.query';

const PARAMS = {
  min_version: single(rules.integer(1, 2_147_483_647), {
    type: 'integer',
    description: 'Read-your-writes: wait (up to MIN_VERSION_WAIT_MS, default 3 s) until the customer has at least this version, e.g. the ETag of your last write.',
    schema: { minimum: 1 },
  }),
};

/** The 503 of a `min_version` read that the read model did not reach in time. */
const READ_MODEL_BEHIND_EXAMPLE = {
  error: 'The read model has not reached the requested version yet; retry after Retry-After seconds.',
  code: 'READ_MODEL_BEHIND',
  details: [{ field: 'min_version', message: 'not reached yet' }],
  request_id: '0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21',
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
  @ApiResponse({
    status: HttpStatus.SERVICE_UNAVAILABLE,
    description: 'READ_MODEL_BEHIND: min_version not reached within the wait (Retry-After: 1); or UNAVAILABLE: PostgreSQL is down.',
    type: ErrorBodyDto,
    example: READ_MODEL_BEHIND_EXAMPLE,
  })
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
