import { Query } from '@nestjs/cqrs';
import { CustomerView } from '../../customers/customer.views';
import { ReadScope } from '../read-model/read-model.sql';

/** One customer; with `minVersion`, waits (bounded) until the read model has reached it. */
export class GetCustomerQuery extends Query<CustomerView> {
  constructor(
    readonly scope: ReadScope,
    readonly customerGuid: string,
    readonly minVersion?: number,
  ) {
    super();
  }
}
