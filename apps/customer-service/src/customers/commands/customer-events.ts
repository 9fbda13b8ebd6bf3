import { randomUUID } from 'node:crypto';
import {
  ActorV1,
  CUSTOMER_ACCOUNT_OPENED_V1,
  CUSTOMER_CREATED_V1,
  CUSTOMER_UPDATED_V1,
} from '@app/contracts';
import { Principal } from '../../auth/principal';
import { OutboxMessage } from '../../outbox/outbox.writer';
import { Customer, CustomerChange } from '../domain/customer';
import { stringifyJson } from '../../fields/money';
import { accountSnapshot, customerSnapshot } from '../customer.mapper';

export const CUSTOMER_AGGREGATE = 'customer';

/** Who caused the change (the trace context is added by the OutboxWriter, from the active span). */
export interface EventContext {
  actor: ActorV1;
}

/** The verified employee, and their branch if scoped, as an event's actor. */
export function eventContextOf(caller: Principal): EventContext {
  return { actor: { sub: caller.sub, branch_guid: caller.branchGuid } };
}

/**
 * Turns the changes the aggregate recorded into wire events (libs/contracts), one outbox
 * message each, carrying the snapshot after the change. Every command makes at most one
 * change, so the aggregate's current state is that snapshot.
 */
export function toOutboxMessages(customer: Customer, context: EventContext): OutboxMessage[] {
  const state = customer.snapshot;
  return customer.pendingChanges.map((change) => {
    const id = randomUUID();
    const payload = {
      event_id: id,
      type: wireType(change),
      occurred_at: change.at.toISOString(),
      counterparty_guid: state.counterparty_guid,
      customer_guid: state.guid,
      version: change.version,
      actor: context.actor,
      customer: customerSnapshot(state),
      ...(change.kind === 'updated' ? { changes: change.changes } : {}),
      ...(change.kind === 'account_opened' ? { account: accountSnapshot(state, change.account) } : {}),
    };
    return {
      id,
      aggregatetype: CUSTOMER_AGGREGATE,
      aggregateid: state.guid,
      type: payload.type,
      payload: stringifyJson(payload),
      headers: {},
    };
  });
}

function wireType(change: CustomerChange): string {
  switch (change.kind) {
    case 'created':
      return CUSTOMER_CREATED_V1;
    case 'updated':
      return CUSTOMER_UPDATED_V1;
    case 'account_opened':
      return CUSTOMER_ACCOUNT_OPENED_V1;
  }
}
