import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { ApiError } from '../../../http/api-error';

/**
 * At most LISTS_PER_COUNTERPARTY customer lists of one counterparty at once in this process
 * (each holds up to two connections of the queries pool: its page and its total). One tenant's
 * burst of expensive lists then waits on itself — a 429 with Retry-After — instead of taking the
 * pool every other tenant's lists and GETs need.
 */
@Injectable()
export class ListConcurrency {
  private readonly running = new Map<string, number>();

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  async run<T>(counterpartyGuid: string, list: () => Promise<T>): Promise<T> {
    const now = this.running.get(counterpartyGuid) ?? 0;
    if (now >= this.config.queries.listsPerCounterparty) {
      throw new ApiError(HttpStatus.TOO_MANY_REQUESTS, 'TOO_MANY_CONCURRENT_LISTS', 'Too many lists of this counterparty at once; retry after Retry-After seconds.', [], {
        'retry-after': '1',
      });
    }
    this.running.set(counterpartyGuid, now + 1);
    try {
      return await list();
    } finally {
      const left = (this.running.get(counterpartyGuid) ?? 1) - 1;
      if (left === 0) this.running.delete(counterpartyGuid);
      else this.running.set(counterpartyGuid, left);
    }
  }
}
