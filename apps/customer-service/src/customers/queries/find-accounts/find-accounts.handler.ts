import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CustomerNotFoundError } from '../../customer-errors';
import { decodeCursor, encodeCursor, listFingerprint } from '../../../http/list-cursor';
import { CustomerReadRepository } from '../customer-read.repository';
import { AccountList, FindAccountsQuery } from './find-accounts.query';

/**
 * A customer's accounts, oldest first, paged by offset or cursor (keyset on created_at and
 * guid: an account's key never changes, so a walk needs no snapshot). An invisible customer is 404.
 */
@QueryHandler(FindAccountsQuery)
export class FindAccountsHandler implements IQueryHandler<FindAccountsQuery, AccountList> {
  constructor(private readonly readModel: CustomerReadRepository) {}

  async execute({ scope, customerGuid, iban, page }: FindAccountsQuery): Promise<AccountList> {
    const fingerprint = listFingerprint({ list: 'accounts', scope, customerGuid, iban });
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, fingerprint);
    const found = await this.readModel.findAccounts(scope, customerGuid, { iban, offset: page.offset, limit: page.limit, after });
    if (!found) throw new CustomerNotFoundError();
    return {
      accounts: found.accounts,
      total: found.total,
      total_relation: 'eq',
      next_cursor: found.next ? encodeCursor(found.next, fingerprint) : null,
    };
  }
}
