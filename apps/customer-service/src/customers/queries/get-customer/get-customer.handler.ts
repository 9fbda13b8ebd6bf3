import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../../config/app-config';
import { CustomerView } from '../../customer.views';
import { CustomerReadRepository } from '../customer-read.repository';
import { readAtVersion } from '../read-your-writes';
import { GetCustomerQuery } from './get-customer.query';

/**
 * Reads one customer from the read model; with `min_version`, waits (MIN_VERSION_WAIT_MS) until
 * it has reached that version (read-your-writes.ts).
 */
@QueryHandler(GetCustomerQuery)
export class GetCustomerHandler implements IQueryHandler<GetCustomerQuery, CustomerView> {
  constructor(
    private readonly readModel: CustomerReadRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  execute({ scope, customerGuid, minVersion }: GetCustomerQuery): Promise<CustomerView> {
    return readAtVersion(() => this.readModel.findOne(scope, customerGuid), (customer) => customer.version, minVersion, this.config.queries.minVersionWaitMs);
  }
}
