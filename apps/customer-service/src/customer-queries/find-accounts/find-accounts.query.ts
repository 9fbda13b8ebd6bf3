import { Query } from '@nestjs/cqrs';
import { AccountView } from '../../customers/customer.views';
import { TotalRelation } from '../find-customers/find-customers.query';
import { ReadScope } from '../read-model/read-model.sql';

export interface AccountList {
  accounts: AccountView[];
  total: number;
  total_relation: TotalRelation;
  next_cursor: string | null;
}

export class FindAccountsQuery extends Query<AccountList> {
  constructor(
    readonly scope: ReadScope,
    readonly customerGuid: string,
    /** Normalised (electronic format). */
    readonly iban: string | undefined,
    readonly page: { offset: number; limit: number; cursor?: string },
  ) {
    super();
  }
}
