/**
 * What applying an event did: `refused` when it names another counterparty than the customer's
 * (a customer never moves between tenants; such an event is recorded in projection_errors);
 * `parked` when the read model refused it or it waits behind a parked event of its customer
 * (recorded in projection_parked, ADR 10).
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'stale' | 'refused' | 'parked';
