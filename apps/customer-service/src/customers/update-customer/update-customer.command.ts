import { Command } from '@nestjs/cqrs';
import { WriteResult } from '../../idempotency/idempotency.store';
import { EventContext } from '../customer-events';
import { CustomerProfile } from '../domain/customer';

export class UpdateCustomerCommand extends Command<WriteResult> {
  constructor(
    readonly counterpartyGuid: string,
    readonly customerGuid: string,
    readonly patch: Partial<CustomerProfile>,
    /** The versions `If-Match` accepts; undefined when the client sent none (or `*`). */
    readonly expectedVersions: readonly number[] | undefined,
    readonly context: EventContext,
  ) {
    super();
  }
}
