import { Command } from '@nestjs/cqrs';
import { IdempotencyRequest, WriteResult } from '../../idempotency/idempotency.store';
import { EventContext } from '../customer-events';

export class OpenAccountCommand extends Command<WriteResult> {
  constructor(
    readonly counterpartyGuid: string,
    readonly customerGuid: string,
    readonly iban: string | null,
    /** Both or neither; neither means the first account's asset. */
    readonly asset: { asset_code: string; asset_issuer: string } | null,
    readonly context: EventContext,
    readonly idempotency?: IdempotencyRequest,
  ) {
    super();
  }
}
