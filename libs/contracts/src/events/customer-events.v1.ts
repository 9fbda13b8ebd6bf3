import { ActorV1, CustomerSnapshotV1, WalletAccountSnapshotV1 } from './customer-snapshot.v1';

export const CUSTOMER_CREATED_V1 = 'customer.created.v1';
export const CUSTOMER_UPDATED_V1 = 'customer.updated.v1';
export const CUSTOMER_ACCOUNT_OPENED_V1 = 'customer.account_opened.v1';

/** Fields every customer event carries. */
interface CustomerEventBaseV1 {
  /** Unique per event; equals the `ce_id` header. The dedupe key. */
  event_id: string;
  /** RFC 3339, UTC. */
  occurred_at: string;
  counterparty_guid: string;
  customer_guid: string;
  /** The customer's version after this change; consecutive per customer. */
  version: number;
  actor: ActorV1;
  customer: CustomerSnapshotV1;
}

/** A customer was created together with their first wallet account. */
export interface CustomerCreatedV1 extends CustomerEventBaseV1 {
  type: typeof CUSTOMER_CREATED_V1;
}

/** One changed field: its value before and after. */
export interface FieldChangeV1 {
  from: unknown;
  to: unknown;
}

/** A customer's profile changed; `changes` lists only fields whose value changed. */
export interface CustomerUpdatedV1 extends CustomerEventBaseV1 {
  type: typeof CUSTOMER_UPDATED_V1;
  changes: Record<string, FieldChangeV1>;
}

/** A further wallet account was opened for the customer. */
export interface CustomerAccountOpenedV1 extends CustomerEventBaseV1 {
  type: typeof CUSTOMER_ACCOUNT_OPENED_V1;
  account: WalletAccountSnapshotV1;
}

export type CustomerEventV1 = CustomerCreatedV1 | CustomerUpdatedV1 | CustomerAccountOpenedV1;
export type CustomerEventTypeV1 = CustomerEventV1['type'];
