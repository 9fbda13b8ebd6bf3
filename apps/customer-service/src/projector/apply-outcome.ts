/**
 * What applying an event did: `refused` when it names another counterparty than the customer's
 * (a customer never moves between tenants; such an event is recorded in projection_errors).
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'stale' | 'refused';
