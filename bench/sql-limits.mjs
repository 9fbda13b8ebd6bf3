// pgbench scripts made of the service's own SQL (exported by the compiled modules), with the
// values a real request would bind. Per-transaction values (new guids, a random sampled
// customer) come from one small `\gset` query first; everything else is bound once with -D.
import { compiled } from './compiled.mjs';
import { asPgbench } from './pgbench.mjs';

// Typed as their TypeScript source (dist/ is its build).
/** @type {typeof import('../apps/customer-service/src/customers/commands/persistence/customer.repository')} */
const repository = compiled('customers/commands/persistence/customer.repository.js');
/** @type {typeof import('../apps/customer-service/src/outbox/outbox.writer')} */
const { outboxInsertSql } = compiled('outbox/outbox.writer.js');
/** @type {typeof import('../apps/customer-service/src/customers/commands/customer-events')} */
const { toOutboxMessages } = compiled('customers/commands/customer-events.js');
/** @type {typeof import('../apps/customer-service/src/customers/domain/customer')} */
const { Customer } = compiled('customers/domain/customer.js');
/** @type {typeof import('../apps/customer-service/src/fields/money')} */
const { Money } = compiled('fields/money.js');
/** @type {typeof import('../apps/customer-service/src/customers/queries/find-customers/customer-list.sql')} */
const { customerListSql } = compiled('customers/queries/find-customers/customer-list.sql.js');
/** @type {typeof import('../apps/customer-service/src/customers/queries/find-customers/customer-list.params')} */
const { parseCustomerListQuery } = compiled('customers/queries/find-customers/customer-list.params.js');
/** @type {typeof import('../apps/customer-service/src/read-model/read-model.tables')} */
const { CUSTOMER_SELECT } = compiled('read-model/read-model.tables.js');

/** @typedef {{ sql: string, defines: Record<string, string> }} ScriptPart */
/** @typedef {{ login: string, iban: string | null, asset_code: string, asset_issuer: string } & Partial<import('../apps/customer-service/src/customers/domain/customer').CustomerProfile>} CreateBody */
/** @typedef {import('../apps/customer-service/src/http/query-params').RawQuery} ListQuery */
/** @typedef {import('../apps/customer-service/src/http/list-cursor').ListPosition} ListPosition */

/** A sampled customer for this transaction: :sample_guid, :sample_cp (table bench_sample, 1 … n). */
const SAMPLE = (/** @type {number} */ size) => `\\set n random(1, ${size})\nSELECT guid AS sample_guid, counterparty_guid AS sample_cp FROM bench_sample WHERE n = :n \\gset`;

/** @param {ScriptPart[]} parts */
function merge(parts) {
  return {
    sql: parts.map((part) => part.sql).join(';\n'),
    defines: Object.assign({}, ...parts.map((part) => part.defines)),
  };
}

/**
 * A customer as the create handler builds it (same domain code), for the statements' values.
 * @param {string} counterpartyGuid
 * @param {CreateBody} body
 */
function sampleCustomer(counterpartyGuid, body) {
  const { login, iban, asset_code, asset_issuer, ...profile } = body;
  const customer = Customer.create(
    {
      counterparty_guid: counterpartyGuid,
      login,
      profile: {
        name: null, surname: null, paternal_name: null, phone_number: null, kyc_level: 0, is_disabled: false,
        balance_allowed: Money.ZERO, balance_asset_code: null, balance_asset_issuer: null, segment: null, status: null,
        branch_guid: null, ...profile,
      },
      firstAccount: { iban, asset_code, asset_issuer },
    },
    new Date(),
  );
  return { customer, messages: toOutboxMessages(customer, { actor: { sub: 'bench-employee', branch_guid: null } }) };
}

/**
 * BEGIN; INSERT customer; INSERT account; INSERT outbox; COMMIT — the create handler's transaction.
 * @param {string} counterpartyGuid
 * @param {CreateBody} body
 */
export function createScript(counterpartyGuid, body) {
  const { customer, messages } = sampleCustomer(counterpartyGuid, body);
  const state = customer.snapshot;
  const statements = merge([
    asPgbench({ text: repository.INSERT_CUSTOMER_SQL, values: repository.insertCustomerValues(state) }, 'c', { 1: 'guid', 3: 'login' }),
    asPgbench(
      { text: repository.INSERT_ACCOUNT_SQL, values: repository.insertAccountValues(state, state.accounts[0]) },
      'a',
      { 1: 'account', 2: 'guid', 4: 'iban' },
    ),
    asPgbench(outboxInsertSql(messages), 'o', { 1: 'event', 3: 'guid' }),
  ]);
  // Fresh per transaction, as a request would bring them: guids, login, IBAN, event id.
  const fresh =
    `SELECT g AS guid, 'pgbench.' || g || '@bench.example' AS login, gen_random_uuid() AS account, ` +
    `'DE' || lpad((random() * 1e18)::bigint::text, 20, '0') AS iban, gen_random_uuid() AS event FROM (SELECT gen_random_uuid() AS g) s \\gset`;
  return { script: `${fresh}\nBEGIN;\n${statements.sql};\nCOMMIT;`, defines: statements.defines };
}

/**
 * The update handler's transaction: lock and load, save the profile, append the event.
 * @param {number} sampleSize
 * @param {string} counterpartyGuid
 * @param {CreateBody} body
 */
export function updateScript(sampleSize, counterpartyGuid, body) {
  const { customer, messages } = sampleCustomer(counterpartyGuid, body);
  const state = { ...customer.snapshot, version: 2 };
  const sampled = { 1: 'sample_guid', 2: 'sample_cp' };
  const statements = merge([
    asPgbench({ text: repository.LOCK_CUSTOMER_SQL, values: [state.guid, state.counterparty_guid] }, 'l', sampled),
    asPgbench({ text: repository.SELECT_ACCOUNTS_SQL, values: [state.guid] }, 's', { 1: 'sample_guid' }),
    asPgbench({ text: repository.UPDATE_PROFILE_SQL, values: updateValues(state) }, 'u', sampled),
    asPgbench(outboxInsertSql(messages), 'o', { 1: 'event', 3: 'sample_guid' }),
  ]);
  return {
    script: `${SAMPLE(sampleSize)}\nSELECT gen_random_uuid() AS event \\gset\nBEGIN;\n${statements.sql};\nCOMMIT;`,
    defines: statements.defines,
  };
}

/** @param {import('../apps/customer-service/src/customers/domain/customer').CustomerState} state */
function updateValues(state) {
  return [
    state.guid, state.counterparty_guid, state.name, state.surname, state.paternal_name, state.phone_number, state.kyc_level,
    state.is_disabled, state.balance_allowed.toString(), state.balance_asset_code, state.balance_asset_issuer,
    state.branch_guid, state.segment, state.status, state.version, state.updated_at,
  ];
}

/**
 * The list's page and total queries (the same the query handler runs), one after the other;
 * with `after` (a position, see listPosition), the keyset page a cursor names. `prefix` keeps
 * the defines of scripts run together apart.
 * @param {string} counterpartyGuid
 * @param {ListQuery} query
 * @param {ListPosition} [after]
 */
export function listScript(counterpartyGuid, query, after, prefix = '') {
  const sql = listSql(counterpartyGuid, query, after);
  const statements = merge([asPgbench(sql.page, `${prefix}p`), asPgbench(sql.total, `${prefix}t`)]);
  return { script: `${statements.sql};`, defines: statements.defines };
}

/**
 * Where a cursor after the `depth`-th customer of the list stands, read as the service reads it
 * (customer-read.repository.ts): that row's ordering key and guid from the service's own page
 * SQL, and the statement's snapshot as the walk's start.
 * @param {import('pg').ClientBase} client
 * @param {string} counterpartyGuid
 * @param {ListQuery} query
 * @param {number} depth
 * @returns {Promise<{ key: string | null, guid: string, snapshot: string }>}
 */
export async function listPosition(client, counterpartyGuid, query, depth) {
  const sql = listSql(counterpartyGuid, { ...query, offset: String(depth - 1), limit: '1' });
  const { rows: [row] } = await client.query(sql.page.text, sql.page.values);
  if (!row) throw new Error(`the list has fewer than ${depth} customers`);
  return { key: row.cursor_key, guid: row.customer_guid, snapshot: row.walk_snapshot };
}

/**
 * The guid of the first customer after `after`, by the service's SQL (to check a cursor names the same place).
 * @param {import('pg').ClientBase} client
 * @param {string} counterpartyGuid
 * @param {ListQuery} query
 * @param {ListPosition} after
 */
export async function firstAfter(client, counterpartyGuid, query, after) {
  const sql = listSql(counterpartyGuid, { ...query, limit: '1' }, after);
  const { rows: [row] } = await client.query(sql.page.text, sql.page.values);
  return row?.customer_guid ?? null;
}

/**
 * @param {string} counterpartyGuid
 * @param {ListQuery} query
 * @param {ListPosition} [after]
 */
function listSql(counterpartyGuid, query, after) {
  const { filter, page } = parseCustomerListQuery(query);
  return customerListSql({ counterpartyGuid, branchGuid: null }, filter, after ? { ...page, after } : page);
}

/**
 * GET one: the read model's row of a random sampled customer.
 * @param {number} sampleSize
 */
export function getOneScript(sampleSize) {
  return {
    script: `${SAMPLE(sampleSize)}\nSELECT ${CUSTOMER_SELECT.replace(/\s*\n\s*/g, ' ')} FROM customer_list_view WHERE counterparty_guid = :sample_cp AND customer_guid = :sample_guid;`,
    defines: {},
  };
}
