import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CustomerNotFoundError } from '../../customers/domain/customer-errors';
import { CustomerReadRepository } from '../read-model/customer-read.repository';
import { AccountList, FindAccountsQuery } from './find-accounts.query';

/** A customer's accounts (a handful each: no paging); an invisible customer is 404. */
@QueryHandler(FindAccountsQuery)
export class FindAccountsHandler implements IQueryHandler<FindAccountsQuery, AccountList> {
  constructor(private readonly readModel: CustomerReadRepository) {}

  async execute({ scope, customerGuid, iban }: FindAccountsQuery): Promise<AccountList> {
    const accounts = await this.readModel.findAccounts(scope, customerGuid, iban);
    if (!accounts) throw new CustomerNotFoundError();
    return { accounts, total: accounts.length };
  }
}
