/**
 * The contract between the customer service and its consumers: topic names, event types,
 * their JSON Schemas and the message headers. This is the only module downstream consumers import.
 */
export * from './topics';
export * from './cloudevents';
export * from './events/customer-snapshot.v1';
export * from './events/customer-events.v1';
export * from './events/customer-snapshot.v1.schema';
export * from './events/customer-events.v1.schema';
export * from './consumer/malformed-message.error';
export * from './consumer/version';
export * from './consumer/decode';
export * from './consumer/bootstrap';
export * from './schemas';
