import { Query } from '@nestjs/cqrs';
import { CustomerView } from '../../customer.views';
import { AccessScope } from '../../../auth/access';
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
    readonly scope: AccessScope,
    readonly filter: CustomerListFilter,
    readonly page: RequestedPage,
  ) {
    super();
  }
}
