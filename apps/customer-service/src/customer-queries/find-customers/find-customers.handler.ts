import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CustomerReadRepository } from '../read-model/customer-read.repository';
import { CustomerList, FindCustomersQuery } from './find-customers.query';

@QueryHandler(FindCustomersQuery)
export class FindCustomersHandler implements IQueryHandler<FindCustomersQuery, CustomerList> {
  constructor(private readonly readModel: CustomerReadRepository) {}

  execute({ scope, filter, page }: FindCustomersQuery): Promise<CustomerList> {
    return this.readModel.findPage(scope, filter, page);
  }
}
