/** The topic that carries every customer event, keyed by customer guid. */
export const CUSTOMER_EVENTS_TOPIC = 'customer.events.v1';

/**
 * The compacted topic that holds each customer's latest snapshot (value: a `CustomerSnapshotV1`),
 * keyed and partitioned exactly like {@link CUSTOMER_EVENTS_TOPIC}: a consumer starts from it.
 */
export const CUSTOMER_SNAPSHOTS_TOPIC = 'customer.snapshots.v1';
