import { Command } from '@nestjs/cqrs';
import { AccessScope } from '../../../auth/access';
import { WriteResult } from '../../../idempotency/idempotency.store';
import { EventContext } from '../customer-events';
import { CustomerProfile } from '../../domain/customer';

export class UpdateCustomerCommand extends Command<WriteResult> {
  constructor(
    /** What the caller may change (auth/access.ts); the patch's branch_guid already follows it. */
    readonly scope: AccessScope,
    readonly customerGuid: string,
    readonly patch: Partial<CustomerProfile>,
    /** The versions `If-Match` accepts; undefined when the client sent none (or `*`). */
    readonly expectedVersions: readonly number[] | undefined,
    readonly context: EventContext,
  ) {
    super();
  }
}
