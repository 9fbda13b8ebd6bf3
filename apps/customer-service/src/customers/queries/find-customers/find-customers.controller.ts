import { Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessScope } from '../../../auth/access';
import { Access, RequiresScope } from '../../../auth/auth.decorators';
import { CustomersController } from '../../customers-api';
import { SCOPE_READ } from '../../../auth/principal';
import { GuidParam } from '../../../http/guid-param';
import { ApiErrors } from '../../../http/error-body.dto';
import { AcceptsQuery, ParsedQuery } from '../../../http/query.decorators';
import { CustomerListResponse } from '../../customer.responses';
import { CUSTOMER_LIST_PARAMS, CustomerListQuery, toCustomerListRequest } from './customer-list.params';
import { CustomerList, FindCustomersQuery } from './find-customers.query';

@CustomersController()
export class FindCustomersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @RequiresScope(SCOPE_READ)
  @ApiOperation({ summary: "List the counterparty's customers with filters, ordering and paging (read model)." })
  @AcceptsQuery(CUSTOMER_LIST_PARAMS)
  @ApiOkResponse({ type: CustomerListResponse })
  @ApiErrors(400, 401, 403, 429, 503)
  find(
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @ParsedQuery() query: CustomerListQuery,
    @Access() scope: AccessScope,
  ): Promise<CustomerList> {
    const { filter, page } = toCustomerListRequest(query);
    return this.queries.execute(new FindCustomersQuery(scope, filter, page));
  }
}
