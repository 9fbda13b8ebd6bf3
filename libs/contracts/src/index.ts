/**
 * The contract between the customer service and its consumers: topic names, event types and
 * their JSON Schemas. This is the only module downstream consumers import.
 */
export * from './topics';
