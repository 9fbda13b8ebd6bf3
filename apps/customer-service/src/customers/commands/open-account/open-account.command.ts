import { Command } from '@nestjs/cqrs';
import { AccessScope } from '../../../auth/access';
import { IdempotencyRequest, WriteResult } from '../../../idempotency/idempotency.store';
import { EventContext } from '../customer-events';

export class OpenAccountCommand extends Command<WriteResult> {
  constructor(
    /** What the caller may change (auth/access.ts). */
    readonly scope: AccessScope,
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
