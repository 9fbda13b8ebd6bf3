import { Query } from '@nestjs/cqrs';
import { AccountView } from '../../customers/customer.views';
import { ReadScope } from '../read-model/read-model.sql';

export interface AccountList {
  accounts: AccountView[];
  total: number;
}

export class FindAccountsQuery extends Query<AccountList> {
  constructor(
    readonly scope: ReadScope,
    readonly customerGuid: string,
    /** Normalised (electronic format). */
    readonly iban?: string,
  ) {
    super();
  }
}
