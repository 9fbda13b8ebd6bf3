import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CustomerReadRepository } from '../read-model/customer-read.repository';
import { CustomerList, FindCustomersQuery } from './find-customers.query';
import { ListConcurrency } from './list-concurrency';

@QueryHandler(FindCustomersQuery)
export class FindCustomersHandler implements IQueryHandler<FindCustomersQuery, CustomerList> {
  constructor(
    private readonly readModel: CustomerReadRepository,
    private readonly concurrency: ListConcurrency,
  ) {}

  execute({ scope, filter, page }: FindCustomersQuery): Promise<CustomerList> {
    return this.concurrency.run(scope.counterpartyGuid, () => this.readModel.findPage(scope, filter, page));
  }
}
