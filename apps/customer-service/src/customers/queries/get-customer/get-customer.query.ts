import { Query } from '@nestjs/cqrs';
import { CustomerView } from '../../customer.views';
import { AccessScope } from '../../../auth/access';

/** One customer; with `minVersion`, waits (bounded) until the read model has reached it. */
export class GetCustomerQuery extends Query<CustomerView> {
  constructor(
    readonly scope: AccessScope,
    readonly customerGuid: string,
    readonly minVersion?: number,
  ) {
    super();
  }
}
