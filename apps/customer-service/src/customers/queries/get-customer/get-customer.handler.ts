import { HttpStatus, Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../../config/app-config';
import { CustomerView } from '../../customer.views';
import { CustomerNotFoundError } from '../../customer-errors';
import { ApiError } from '../../../http/api-error';
import { CustomerReadRepository } from '../customer-read.repository';
import { GetCustomerQuery } from './get-customer.query';

/** How often a `min_version` read looks again: cheap (a primary-key lookup), and well under the lag target. */
export const POLL_INTERVAL_MS = 50;

/**
 * Reads one customer from the read model. Read-your-writes: a client that got `ETag: "n"` from
 * a write asks with `min_version=n`; the handler re-reads until the version is there or the
 * wait (MIN_VERSION_WAIT_MS) is over, then answers 503 READ_MODEL_BEHIND with Retry-After.
 * A customer not yet projected at all counts as behind: the client asserts the version exists.
 */
@QueryHandler(GetCustomerQuery)
export class GetCustomerHandler implements IQueryHandler<GetCustomerQuery, CustomerView> {
  constructor(
    private readonly readModel: CustomerReadRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async execute({ scope, customerGuid, minVersion }: GetCustomerQuery): Promise<CustomerView> {
    const deadline = Date.now() + this.config.queries.minVersionWaitMs;
    for (;;) {
      const customer = await this.readModel.findOne(scope, customerGuid);
      if (minVersion === undefined) {
        if (!customer) throw new CustomerNotFoundError();
        return customer;
      }
      if (customer && customer.version >= minVersion) return customer;
      if (Date.now() + POLL_INTERVAL_MS > deadline) throw readModelBehind();
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }
}

function readModelBehind(): ApiError {
  return new ApiError(
    HttpStatus.SERVICE_UNAVAILABLE,
    'READ_MODEL_BEHIND',
    'The read model has not reached the requested version yet; retry after Retry-After seconds.',
    [{ field: 'min_version', message: 'not reached yet' }],
    { 'retry-after': '1' },
  );
}
