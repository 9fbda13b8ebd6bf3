import { Controller, Get, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { RequiresScope } from '../../auth/auth.decorators';
import { SCOPE_READ } from '../../auth/principal';
import { GuidParam } from '../../customers/write-http';
import { ApiErrors } from '../../http/error-body.dto';
import { RawQuery } from '../http/query-params';
import { readScope } from '../http/read-http';
import { CustomerListResponse } from '../http/read.responses';
import { parseCustomerListQuery } from './customer-list.params';
import { ApiCustomerListQuery } from './customer-list.openapi';
import { CustomerList, FindCustomersQuery } from './find-customers.query';

@ApiTags('customers')
@Controller('counterparty/:counterparty_guid/customers')
export class FindCustomersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @RequiresScope(SCOPE_READ)
  @ApiOperation({ summary: "List the counterparty's customers with filters, ordering and paging (read model)." })
  @ApiCustomerListQuery()
  @ApiOkResponse({ type: CustomerListResponse })
  @ApiErrors(400, 401, 403, 429, 503)
  find(
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @Query() query: RawQuery,
    @Req() request: FastifyRequest,
  ): Promise<CustomerList> {
    const { filter, page } = parseCustomerListQuery(query);
    return this.queries.execute(new FindCustomersQuery(readScope(request), filter, page));
  }
}
