import { Query } from '@nestjs/cqrs';
import { AccountView } from '../../customer.views';
import { TotalRelation } from '../find-customers/find-customers.query';
import { AccessScope } from '../../../auth/access';

export interface AccountList {
  accounts: AccountView[];
  total: number;
  total_relation: TotalRelation;
  next_cursor: string | null;
}

export class FindAccountsQuery extends Query<AccountList> {
  constructor(
    readonly scope: AccessScope,
    readonly customerGuid: string,
    /** Normalised (electronic format). */
    readonly iban: string | undefined,
    readonly page: { offset: number; limit: number; cursor?: string },
  ) {
    super();
  }
}
