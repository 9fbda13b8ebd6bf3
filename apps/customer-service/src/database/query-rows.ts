/** Anything TypeORM runs raw SQL on: a DataSource, an EntityManager or a QueryRunner. */
export interface RawQueryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/**
 * The rows of a SELECT (or an INSERT … RETURNING) run through TypeORM, typed by the caller:
 * TypeORM types every raw result as `any`; this is the one place that says what it is.
 */
export async function queryRows<T>(db: RawQueryable, text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query(text, values)) as T[];
}

/**
 * The rows an UPDATE or DELETE … RETURNING gave back: TypeORM answers those as
 * `[rows, affectedCount]`, unlike a SELECT or an INSERT.
 */
export async function changedRows<T>(db: RawQueryable, text: string, values: unknown[] = []): Promise<T[]> {
  const result = (await db.query(text, values)) as [T[], number] | T[];
  return Array.isArray(result[0]) ? (result as [T[], number])[0] : (result as T[]);
}
