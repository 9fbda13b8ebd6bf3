import { Command } from '@nestjs/cqrs';
import { IdempotencyRequest, WriteResult } from '../../idempotency/idempotency.store';
import { EventContext } from '../customer-events';
import { CustomerProfile, NewAccount } from '../domain/customer';

export class CreateCustomerCommand extends Command<WriteResult> {
  constructor(
    readonly counterpartyGuid: string,
    readonly login: string | null,
    readonly profile: CustomerProfile,
    readonly firstAccount: NewAccount,
    readonly context: EventContext,
    readonly idempotency?: IdempotencyRequest,
  ) {
    super();
  }
}
