import { Command } from '@nestjs/cqrs';
import { AccessScope } from '../../../auth/access';
import { IdempotencyRequest, WriteResult } from '../../../idempotency/idempotency.store';
import { EventContext } from '../customer-events';
import { CustomerProfile, NewAccount } from '../../domain/customer';

export class CreateCustomerCommand extends Command<WriteResult> {
  constructor(
    /** The caller's counterparty (and branch); the profile's branch_guid already follows access.ts. */
    readonly scope: AccessScope,
    readonly login: string | null,
    readonly profile: CustomerProfile,
    readonly firstAccount: NewAccount,
    readonly context: EventContext,
    readonly idempotency?: IdempotencyRequest,
  ) {
    super();
  }
}
