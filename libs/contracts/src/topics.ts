/** The topic that carries every customer event, keyed by customer guid. */
export const CUSTOMER_EVENTS_TOPIC = 'customer.events.v1';
