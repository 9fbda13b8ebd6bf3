import { MigrationInterface, QueryRunner } from 'typeorm';

/** RFC 3339 UTC with milliseconds, as `Date.toISOString()` writes it in the events. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The snapshot topic `customer.snapshots.v1` (ADR 8):
 * - the relay looks up the newest outbox row of each customer of a batch; this index makes
 *   that one index probe per customer;
 * - customers that predate the topic get one `customer.snapshot.v1` outbox row each, their
 *   current state in the events' snapshot shape (libs/contracts CustomerSnapshotV1). The relay
 *   sends such rows to the snapshot topic only, never to the events topic. Built here in SQL,
 *   in the same transaction as the upgrade, so no write can slip between the two.
 */
export class CustomerSnapshots1765267200000 implements MigrationInterface {
  name = 'CustomerSnapshots1765267200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX outbox_aggregate_seq_idx ON outbox (aggregateid, seq)`);
    await db.query(BACKFILL_SNAPSHOTS);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM outbox WHERE type = 'customer.snapshot.v1' AND published_at IS NULL`);
    await db.query(`DROP INDEX outbox_aggregate_seq_idx`);
  }
}

/** One snapshot outbox row per customer, in the customers' order of creation. */
export const BACKFILL_SNAPSHOTS = `
  INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload)
  SELECT gen_random_uuid(), 'customer', c.guid::text, 'customer.snapshot.v1', jsonb_build_object(
    'occurred_at', ${iso('c.updated_at')},
    'customer', jsonb_build_object(
      'customer_guid', c.guid, 'counterparty_guid', c.counterparty_guid, 'login', c.login, 'name', c.name,
      'surname', c.surname, 'paternal_name', c.paternal_name, 'phone_number', c.phone_number, 'kyc_level', c.kyc_level,
      'is_disabled', c.is_disabled, 'balance_allowed', trim_scale(c.balance_allowed), 'balance_asset_code', c.balance_asset_code,
      'balance_asset_issuer', c.balance_asset_issuer, 'branch_guid', c.branch_guid, 'segment', c.segment, 'status', c.status,
      'version', c.version, 'created_at', ${iso('c.created_at')}, 'updated_at', ${iso('c.updated_at')},
      'accounts', (
        SELECT jsonb_agg(jsonb_build_object(
          'wallet_account_guid', a.guid, 'customer_guid', c.guid, 'counterparty_guid', c.counterparty_guid, 'iban', a.iban,
          'asset_code', a.asset_code, 'asset_issuer', a.asset_issuer, 'activated', a.activated, 'registered', a.registered,
          'blocked', a.blocked, 'type', a.type, 'created_at', ${iso('a.created_at')}, 'updated_at', ${iso('a.updated_at')}
        ) ORDER BY a.created_at, a.guid)
        FROM wallet_accounts a WHERE a.customer_guid = c.guid)))
  FROM customers c
  ORDER BY c.created_at, c.guid`;
