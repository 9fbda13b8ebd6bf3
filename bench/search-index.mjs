// The search path's index, before and after migration 1765180800000 (search_text INCLUDEd in the
// created_at ordering index), on one database and in one run, the two interleaved: this
// machine's load drifts by more than the differences measured, so each round measures both.
//
//   DATABASE_URL=… node bench/search-index.mjs [--rounds R] [--queries Q] [--rows N]   (--rows 0: reads only)
//
// Needs a seeded database with the migration applied (`npm run bench` seeds one in
// .local/bench) and nothing else running on it. It builds the index as it was before the
// migration beside the new one (`bench_created_at_before_idx`, kept for later runs); each
// variant runs in a transaction that drops the other index and is rolled back, so the planner
// sees exactly one of them. Per variant:
//  - the service's own list SQL (page + capped total, `-created_at`, limit 50) for each search
//    string of list-search-rate: EXPLAIN (ANALYZE, BUFFERS) once per round, then Q runs timed
//    by the wall clock and by the backend's CPU time (/proc/<pid>/schedstat, nanoseconds: a
//    busy machine stretches the first, hardly the second);
//  - the write cost: N read-model rows inserted, then the same N rows updated, as the
//    projector writes them: WAL bytes (pg_current_wal_insert_lsn) and backend CPU per row.
// Results: bench/results/<stamp>-search-index.{json,md}.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { compiled, pgOptions, root } from './compiled.mjs';
import { RATE_TERMS } from './paging.mjs';
import { counterpartiesFor, DEFAULT_CUSTOMERS } from './seed.mjs';

// Typed as their TypeScript source (dist/ is its build).
/** @type {typeof import('../apps/customer-service/src/customers/queries/find-customers/customer-list.sql')} */
const { customerListSql } = compiled('customers/queries/find-customers/customer-list.sql.js');
/** @type {typeof import('../apps/customer-service/src/customers/queries/find-customers/customer-list.params')} */
const { parseCustomerListQuery } = compiled('customers/queries/find-customers/customer-list.params.js');

/** @typedef {import('../apps/customer-service/src/database/sql-params').SqlQuery} SqlQuery */
/**
 * A node of EXPLAIN (FORMAT JSON)'s plan: the fields read here.
 * @typedef {{ 'Node Type': string, 'Relation Name'?: string, 'Index Name'?: string, 'Heap Fetches'?: number,
 *   'Shared Hit Blocks': number, 'Shared Read Blocks': number, Plans?: PlanNode[] }} PlanNode
 */
/** @typedef {Awaited<ReturnType<typeof explain>>} PlanSummary */
/** @typedef {{ wallMs: number, cpuMs: number, plans: { page: PlanSummary, total: PlanSummary } }} ReadRun */
/** @typedef {Awaited<ReturnType<typeof writeCost>>} WriteRun */

const AFTER = 'customer_list_view_created_at_idx';
const BEFORE = 'bench_created_at_before_idx';
const BEFORE_DEFINITION = `CREATE INDEX IF NOT EXISTS ${BEFORE} ON customer_list_view (counterparty_guid, created_at, customer_guid) INCLUDE (is_disabled, branch_guid, writer_xid)`;
/** @type {Record<string, { drop: string, index: string }>} */
const VARIANTS = { before: { drop: AFTER, index: BEFORE }, after: { drop: BEFORE, index: AFTER } };

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    queries: { type: 'string', default: '20' },
    rows: { type: 'string', default: '20000' },
    customers: { type: 'string', default: String(DEFAULT_CUSTOMERS) },
  },
});
const rounds = Number(flags.rounds);
const queries = Number(flags.queries);
const rows = Number(flags.rows);
const log = (/** @type {string} */ line) => process.stderr.write(`[search-index] ${line}\n`);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');

const client = new pg.Client(pgOptions(databaseUrl));
await client.connect();
try {
  await main(databaseUrl);
} finally {
  await client.end();
}

/** @param {string} databaseUrl */
async function main(databaseUrl) {
  const largest = counterpartiesFor(Number(flags.customers))[0].guid;
  const { rows: [{ definition }] } = await client.query(`SELECT pg_get_indexdef($1::regclass) AS definition`, [AFTER]);
  if (!definition.includes('search_text')) throw new Error(`${AFTER} has no search_text: apply migration 1765180800000 first`);
  await client.query('SET statement_timeout = 0');
  log(`building ${BEFORE} (the created_at index as it was before the migration), if missing`);
  const building = performance.now();
  await client.query(BEFORE_DEFINITION);
  log(`${BEFORE}: ${((performance.now() - building) / 1000).toFixed(1)} s`);
  await client.query('VACUUM ANALYZE customer_list_view');
  const { rows: [{ pid }] } = await client.query('SELECT pg_backend_pid() AS pid');
  const cpuNs = () => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  const sizes = await indexSizes();
  const { rows: [{ count: listSize }] } = await client.query('SELECT count(*)::int AS count FROM customer_list_view WHERE counterparty_guid = $1', [largest]);

  /** @type {Record<string, Record<string, ReadRun[]>>} */
  const reads = Object.fromEntries(Object.keys(VARIANTS).map((variant) => [variant, Object.fromEntries(RATE_TERMS.map((term) => [term, []]))]));
  /** @type {Record<string, WriteRun[]>} */
  const writes = Object.fromEntries(Object.keys(VARIANTS).map((variant) => [variant, []]));
  const sql = Object.fromEntries(RATE_TERMS.map((term) => {
    const { filter, page } = parseCustomerListQuery({ search_string: term });
    return [term, customerListSql({ counterpartyGuid: largest, branchGuid: null }, filter, page)];
  }));
  // Rows to write: copies of the largest counterparty's newest, under new guids, in a temp table
  // so reading them is not part of the cost measured.
  await client.query(`DROP TABLE IF EXISTS bench_write_rows`);
  await client.query(
    `CREATE TEMP TABLE bench_write_rows AS SELECT * FROM customer_list_view WHERE counterparty_guid = $1 ORDER BY created_at DESC LIMIT ${rows}`,
    [largest],
  );
  await client.query(`UPDATE bench_write_rows SET customer_guid = gen_random_uuid()`);
  await client.query(`ALTER TABLE bench_write_rows DROP COLUMN search_text, DROP COLUMN writer_xid`);
  const columns = (await client.query(`SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS list FROM pg_attribute
    WHERE attrelid = 'bench_write_rows'::regclass AND attnum > 0 AND NOT attisdropped`)).rows[0].list;

  // Reads first, every round both variants (round 0 warms the cache and is not counted); the
  // writes after, so the rows they leave behind (rolled back: dead until vacuumed) cannot
  // change the plans or the pages the reads visit.
  for (let round = 0; round <= rounds; round += 1) {
    for (const variant of round % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
      await withOnly(variant, async () => {
        for (const term of RATE_TERMS) {
          const plans = { page: await explain(sql[term].page), total: await explain(sql[term].total) };
          let wallMs = 0;
          const cpuStart = cpuNs();
          for (let i = 0; i < queries; i += 1) {
            const started = performance.now();
            await client.query(sql[term].page.text, sql[term].page.values);
            await client.query(sql[term].total.text, sql[term].total.values);
            wallMs += performance.now() - started;
          }
          const cpuMs = (cpuNs() - cpuStart) / 1e6;
          if (round > 0) reads[variant][term].push({ wallMs: wallMs / queries, cpuMs: cpuMs / queries, plans });
          log(`round ${round} ${variant} "${term}": wall ${(wallMs / queries).toFixed(2)} ms, backend CPU ${(cpuMs / queries).toFixed(2)} ms per page + total; ` +
            `EXPLAIN page ${plans.page.ms} ms ${plans.page.buffers} buffers, total ${plans.total.ms} ms ${plans.total.buffers} buffers (${plans.total.scans.join('; ')})`);
        }
      });
    }
  }
  const checkpointer = new pg.Client(pgOptions(databaseUrl));
  await checkpointer.connect();
  try {
    for (let round = 0; rows > 0 && round <= rounds; round += 1) {
      for (const variant of round % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
        // Right after a checkpoint every page is written to WAL whole on its first change: the
        // same (worst) case for both variants, instead of whatever the last checkpoint left.
        await checkpointer.query('CHECKPOINT');
        const write = await withOnly(variant, () => writeCost(columns, cpuNs));
        if (round > 0) writes[variant].push(write);
        log(`round ${round} ${variant} write: insert ${write.insertWalBytesPerRow} WAL bytes, ${write.insertCpuUsPerRow} µs per row; ` +
          `update ${write.updateWalBytesPerRow} WAL bytes, ${write.updateCpuUsPerRow} µs per row`);
      }
    }
  } finally {
    await checkpointer.end();
  }
  log('vacuuming the rows the writes left behind');
  await client.query('VACUUM ANALYZE customer_list_view');
  report({ largest, listSize, sizes, reads, writes });
}

/**
 * Runs `work` in a transaction where only `variant`'s created_at index exists; rolled back.
 * @template T
 * @param {string} variant
 * @param {() => Promise<T>} work
 */
async function withOnly(variant, work) {
  await client.query('BEGIN');
  try {
    await client.query(`DROP INDEX ${VARIANTS[variant].drop}`);
    return await work();
  } finally {
    await client.query('ROLLBACK');
  }
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of one statement: time, shared buffers hit + read, the indexes and scans on customer_list_view.
 * @param {SqlQuery} query
 */
async function explain(query) {
  const { rows: [row] } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.text}`, query.values);
  /** @type {[{ Plan: PlanNode, 'Execution Time': number }]} */
  const [{ Plan: plan, 'Execution Time': ms }] = row['QUERY PLAN'];
  /** @type {string[]} */
  const scans = [];
  /** @param {PlanNode} node */
  const walk = (node) => {
    if (node['Relation Name'] === 'customer_list_view' || node['Index Name']) {
      const heap = node['Heap Fetches'] !== undefined ? `, heap fetches ${node['Heap Fetches']}` : '';
      scans.push(`${node['Node Type']}${node['Index Name'] ? ` ${node['Index Name']}` : ''}${heap}`);
    }
    (node.Plans ?? []).forEach(walk);
  };
  walk(plan);
  return { ms: Math.round(ms * 100) / 100, buffers: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'], read: plan['Shared Read Blocks'], scans };
}

/**
 * Inserting, then updating, `rows` read-model rows as the projector does; per row. Inside withOnly's transaction (rolled back).
 * @param {string} columns  the column list
 * @param {() => number} cpuNs  the backend's CPU time so far
 */
async function writeCost(columns, cpuNs) {
  const lsn = async () => /** @type {string} */ ((await client.query('SELECT pg_current_wal_insert_lsn() AS lsn')).rows[0].lsn);
  const walBytes = async (/** @type {string} */ from) => Number((await client.query('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1) AS bytes', [from])).rows[0].bytes);
  let from = await lsn();
  let cpu = cpuNs();
  await client.query(`INSERT INTO customer_list_view (${columns}) SELECT ${columns} FROM bench_write_rows`);
  const insertCpu = cpuNs() - cpu;
  const insertWal = await walBytes(from);
  from = await lsn();
  cpu = cpuNs();
  await client.query(`UPDATE customer_list_view v SET version = v.version + 1, updated_at = v.updated_at + interval '1 millisecond', status = 'updated'
    FROM bench_write_rows w WHERE v.customer_guid = w.customer_guid`);
  const updateCpu = cpuNs() - cpu;
  const updateWal = await walBytes(from);
  const per = (/** @type {number} */ value, /** @type {number} */ unit) => Math.round((value / rows / unit) * 10) / 10;
  return {
    insertWalBytesPerRow: per(insertWal, 1), insertCpuUsPerRow: per(insertCpu, 1e3),
    updateWalBytesPerRow: per(updateWal, 1), updateCpuUsPerRow: per(updateCpu, 1e3),
  };
}

async function indexSizes() {
  const { rows: sized } = await client.query(
    `SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'customer_list_view'::regclass ORDER BY c.relname`,
  );
  const { rows: [{ table }] } = await client.query(`SELECT pg_relation_size('customer_list_view') AS table`);
  return { tableBytes: Number(table), indexes: Object.fromEntries(sized.map((row) => [row.name, Number(row.bytes)])) };
}

/**
 * @typedef {{ wallMs: number, cpuMs: number, pageMs: number, totalMs: number, pageBuffers: number, totalBuffers: number,
 *   pageScans: string[], totalScans: string[] }} ReadSummary
 */

/**
 * @param {{ largest: string, listSize: number, sizes: Awaited<ReturnType<typeof indexSizes>>,
 *   reads: Record<string, Record<string, ReadRun[]>>, writes: Record<string, WriteRun[]> }} results
 */
function report({ largest, listSize, sizes, reads, writes }) {
  const median = (/** @type {number[]} */ values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const round2 = (/** @type {number} */ value) => Math.round(value * 100) / 100;
  /** @type {{ reads: Record<string, Record<string, ReadSummary>>, writes: Record<string, Record<string, number>> }} */
  const summary = { reads: {}, writes: {} };
  for (const variant of Object.keys(VARIANTS)) {
    summary.reads[variant] = Object.fromEntries(RATE_TERMS.map((term) => {
      const runs = reads[variant][term];
      return [term, {
        wallMs: round2(median(runs.map((run) => run.wallMs))), cpuMs: round2(median(runs.map((run) => run.cpuMs))),
        pageMs: round2(median(runs.map((run) => run.plans.page.ms))), totalMs: round2(median(runs.map((run) => run.plans.total.ms))),
        pageBuffers: median(runs.map((run) => run.plans.page.buffers)), totalBuffers: median(runs.map((run) => run.plans.total.buffers)),
        pageScans: [...new Set(runs.map((run) => run.plans.page.scans.join('; ')))], totalScans: [...new Set(runs.map((run) => run.plans.total.scans.join('; ')))],
      }];
    }));
    const keys = /** @type {(keyof WriteRun)[]} */ (Object.keys(writes[variant][0] ?? {}));
    summary.writes[variant] = Object.fromEntries(keys.map((key) => [key, round2(median(writes[variant].map((write) => write[key])))]));
  }
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const base = path.join(root, 'bench', 'results', `${stamp}-search-index`);
  const setup = { rounds, queries, rows, largest, listSize, sizes, loadAvg: (readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3)).join(' ') };
  writeFileSync(`${base}.json`, `${JSON.stringify({ setup, summary, reads, writes }, null, 2)}\n`);
  const mb = (/** @type {number} */ bytes) => `${Math.round(bytes / 1e6)} MB`;
  const lines = [
    `# The search path's index, before and after migration 1765180800000 (${stamp})`,
    '',
    `\`node bench/search-index.mjs --rounds ${rounds} --queries ${queries} --rows ${rows}\`: the largest counterparty (${listSize.toLocaleString('en')} customers), ` +
      `the service's page + capped-total SQL (\`-created_at\`, limit 50), medians over ${rounds} interleaved rounds of ${queries} each (a warm-up round not counted). ` +
      `Load average at the end: ${setup.loadAvg} (2 cores). Table ${mb(sizes.tableBytes)}; created_at index before ${mb(sizes.indexes[BEFORE])}, after ${mb(sizes.indexes[AFTER])}.`,
    '',
    '| search_string | variant | wall ms (page + total) | backend CPU ms | EXPLAIN page ms / buffers | EXPLAIN total ms / buffers | total plan (every one seen) |',
    '|---|---|---:|---:|---:|---:|---|',
    ...RATE_TERMS.flatMap((term) => Object.keys(VARIANTS).map((variant) => {
      const r = summary.reads[variant][term];
      return `| ${term} | ${variant} | ${r.wallMs} | ${r.cpuMs} | ${r.pageMs} / ${r.pageBuffers} | ${r.totalMs} / ${r.totalBuffers} | ${r.totalScans.join(' / ')} |`;
    })),
    '',
    ...(rows > 0 ? [
      `Writes, ${rows.toLocaleString('en')} rows (insert, then update of the same rows), per row, each right after a CHECKPOINT (every page touched is logged whole once: the worst case):`,
      '',
      '| variant | insert WAL bytes | insert CPU µs | update WAL bytes | update CPU µs |',
      '|---|---:|---:|---:|---:|',
      ...Object.keys(VARIANTS).map((variant) => {
        const w = summary.writes[variant];
        return `| ${variant} | ${w.insertWalBytesPerRow} | ${w.insertCpuUsPerRow} | ${w.updateWalBytesPerRow} | ${w.updateCpuUsPerRow} |`;
      }),
    ] : []),
    '',
  ];
  writeFileSync(`${base}.md`, `${lines.join('\n')}`);
  log(`results: ${path.relative(root, base)}.{json,md}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
