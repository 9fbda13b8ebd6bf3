/**
 * The PostgreSQL error behind a failure: TypeORM's QueryFailedError wraps node-postgres's
 * (`driverError`); statements run through `queryPrepared` throw node-postgres's own.
 */
export function driverErrorOf(error: unknown): { code?: string; constraint?: string } {
  const failure = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } } | null;
  return failure?.driverError ?? failure ?? {};
}
