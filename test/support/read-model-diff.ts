import { Client } from 'pg';
import { ACCOUNT_COLUMNS, CUSTOMER_COLUMNS } from '../../apps/customer-service/src/read-model/read-model.tables';
import { DERIVED_ACCOUNTS, DERIVED_CUSTOMERS } from '../../apps/customer-service/src/projector/rebuild/read-model.rebuild';

/**
 * Rows of the read model that differ from what the write tables say they must be, over every
 * projected field: rows in the view that no derived row equals, plus derived rows that no view
 * row equals (a missing, extra or stale row counts once on each side it is wrong).
 */
export async function readModelDifferences(db: Client): Promise<{ customers: number; accounts: number }> {
  const differing = async (columns: readonly string[], view: string, derived: string) => {
    const rows = (from: string) => `SELECT t::text AS row FROM (SELECT ${columns.join(', ')} FROM ${from}) t`;
    const { rows: [{ n }] } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ((${rows(view)} EXCEPT ALL ${rows(`(${derived}) d`)}) UNION ALL (${rows(`(${derived}) d`)} EXCEPT ALL ${rows(view)})) x`,
    );
    return n;
  };
  return {
    customers: await differing(CUSTOMER_COLUMNS, 'customer_list_view', DERIVED_CUSTOMERS),
    accounts: await differing(ACCOUNT_COLUMNS, 'account_view', DERIVED_ACCOUNTS),
  };
}
