import { Controller, Get, HttpStatus, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { RequiresScope } from '../../auth/auth.decorators';
import { SCOPE_READ } from '../../auth/principal';
import { CustomerResponse } from '../../customers/customer.response';
import { CustomerView } from '../../customers/customer.views';
import { entityTag } from '../../customers/write-http';
import { GuidParam } from '../../http/guid-param';
import { ApiErrors, ErrorBodyDto } from '../../http/error-body.dto';
import * as rules from '../../fields/field-rules';
import { QueryValues, single } from '../../http/query-params';
import { AcceptsQuery, ParsedQuery } from '../../http/query.decorators';
import { readScope } from '../http/read-http';
import { READ_MODEL_BEHIND_EXAMPLE } from '../http/read.responses';
import { GetCustomerQuery } from './get-customer.query';

const PARAMS = {
  min_version: single(rules.integer(1, 2_147_483_647), {
    type: 'integer',
    description: 'Read-your-writes: wait (up to MIN_VERSION_WAIT_MS, default 3 s) until the customer has at least this version, e.g. the ETag of your last write.',
    schema: { minimum: 1 },
  }),
};

@ApiTags('customers')
@Controller('counterparty/:counterparty_guid/customers')
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
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerView> {
    const customer = await this.queries.execute(new GetCustomerQuery(readScope(request), customerGuid, min_version));
    void reply.header('etag', entityTag(customer.version));
    return customer;
  }
}
