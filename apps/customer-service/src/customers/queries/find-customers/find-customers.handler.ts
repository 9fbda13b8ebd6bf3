import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { decodeCursor, encodeCursor, listFingerprint } from '../../../http/list-cursor';
import { CustomerReadRepository } from '../customer-read.repository';
import { CustomerList, FindCustomersQuery } from './find-customers.query';
import { ListConcurrency } from './list-concurrency';

@QueryHandler(FindCustomersQuery)
export class FindCustomersHandler implements IQueryHandler<FindCustomersQuery, CustomerList> {
  constructor(
    private readonly readModel: CustomerReadRepository,
    private readonly concurrency: ListConcurrency,
  ) {}

  async execute({ scope, filter, page }: FindCustomersQuery): Promise<CustomerList> {
    // A cursor is good for the list it was made for: this caller's, this ordering, these filters.
    const fingerprint = listFingerprint({ list: 'customers', scope, ordering: page.ordering, filter });
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, fingerprint);
    const found = await this.concurrency.run(scope.counterpartyGuid, () =>
      this.readModel.findPage(scope, filter, { limit: page.limit, ordering: page.ordering, offset: page.offset, after }),
    );
    return {
      customers: found.customers,
      total: found.total,
      total_relation: found.totalRelation,
      next_cursor: found.next ? encodeCursor(found.next, fingerprint) : null,
    };
  }
}
