import { Query } from '@nestjs/cqrs';
import { CustomerView } from '../../customers/customer.views';
import { ReadScope } from '../read-model/read-model.sql';
import { CustomerListFilter, CustomerListPage } from './customer-list.params';

export interface CustomerList {
  customers: CustomerView[];
  total: number;
}

export class FindCustomersQuery extends Query<CustomerList> {
  constructor(
    readonly scope: ReadScope,
    readonly filter: CustomerListFilter,
    readonly page: CustomerListPage,
  ) {
    super();
  }
}
