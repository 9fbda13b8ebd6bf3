import { Query } from '@nestjs/cqrs';
import { CustomerView } from '../../customers/customer.views';
import { ReadScope } from '../read-model/read-model.sql';
import { CustomerListFilter, RequestedPage } from './customer-list.params';

/** `total` counts every match (`eq`), or, with search_string, at least this many (`gte`). */
export type TotalRelation = 'eq' | 'gte';

export interface CustomerList {
  customers: CustomerView[];
  total: number;
  total_relation: TotalRelation;
  /** The cursor of the next page, or null at the end. */
  next_cursor: string | null;
}

export class FindCustomersQuery extends Query<CustomerList> {
  constructor(
    readonly scope: ReadScope,
    readonly filter: CustomerListFilter,
    readonly page: RequestedPage,
  ) {
    super();
  }
}
