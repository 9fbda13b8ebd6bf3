/**
 * The PostgreSQL error behind a failure: TypeORM's QueryFailedError wraps node-postgres's
 * (`driverError`); statements run through `queryPrepared` throw node-postgres's own.
 */
export function driverErrorOf(error: unknown): { code?: string; constraint?: string } {
  const failure = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } } | null;
  return failure?.driverError ?? failure ?? {};
}

/**
 * SQLSTATE classes that mean "PostgreSQL is down, restarting or overloaded", not "bad input":
 * 08 connection exception, 53 insufficient resources, 57P01-57P03 (admin shutdown, crash
 * shutdown, cannot connect now: the server is starting up or in recovery).
 */
const UNAVAILABLE_SQLSTATES = /^(08|53|57P0[1-3])/;
/** node-postgres's own errors for a connection refused, reset, timed out or closed under it. */
const UNAVAILABLE_MESSAGES = /ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Connection terminated|connect ETIMEDOUT|Client has encountered a connection error|Client was closed and is not queryable/;

/** True when retrying later can succeed because the database itself was unreachable (503 on the API; a wait in the projector). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = driverErrorOf(error);
  return (typeof code === 'string' && UNAVAILABLE_SQLSTATES.test(code)) || UNAVAILABLE_MESSAGES.test(error.message);
}
