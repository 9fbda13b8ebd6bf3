/**
 * The contract between the customer service and its consumers: topic names, event types and
 * their JSON Schemas. This is the only module downstream consumers import.
 */
export * from './topics';
export * from './events/customer-snapshot.v1';
export * from './events/customer-events.v1';
