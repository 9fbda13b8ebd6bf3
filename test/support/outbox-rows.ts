import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * Appends version `version` of an event for each customer, straight into the outbox (what
 * OutboxWriter does inside a command): one statement, so one NOTIFY. Call it with versions
 * 1, 2, 3, … so each customer's sequence order is its version order.
 */
export async function appendVersion(db: Client, customers: readonly string[], version: number): Promise<void> {
  const params: unknown[] = [];
  const rows = customers.map((customer) => {
    const id = randomUUID();
    const payload = { event_id: id, type: 'customer.updated.v1', customer_guid: customer, version, occurred_at: new Date().toISOString() };
    params.push(id, customer, JSON.stringify(payload));
    const base = params.length - 3;
    return `($${base + 1}, 'customer', $${base + 2}, 'customer.updated.v1', $${base + 3}::jsonb)`;
  });
  await db.query(`INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES ${rows.join(', ')}`, params);
}

export async function unpublishedCount(db: Client): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
  return rows[0].n;
}

/**
 * Polls `check` every 20 ms until it holds; throws after `timeoutMs`: a hang guard, generous
 * because a wait may include starting a service process (ts-node: 25-36 s on a loaded machine).
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
