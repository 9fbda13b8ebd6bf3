// Writes a run's results: bench/results/<stamp>.json (everything measured) and <stamp>.md (one
// table, with each target of issue #7 and whether this run met it).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Targets: each a check over a scenario's row → { target, met, actual }. */
const TARGETS = {
  create: [
    ['req/s ≥ 1.0× framework-free', (row) => ratio(row.ours?.rps, row.bare?.rps), (r) => r >= 1.0],
    ['p99 ≤ 1.2× framework-free', (row) => ratio(row.ours?.p99Ms, row.bare?.p99Ms), (r) => r <= 1.2],
  ],
  list: [
    ['req/s ≥ 2× framework-free', (row) => ratio(row.ours?.rps, row.bare?.rps), (r) => r >= 2],
    ['p99 ≤ 30 ms', (row) => row.ours?.p99Ms, (ms) => ms <= 30],
  ],
  'list-filtered': [['p99 ≤ 50 ms', (row) => row.ours?.p99Ms, (ms) => ms <= 50]],
  'list-search': [['p99 ≤ 150 ms', (row) => row.ours?.p99Ms, (ms) => ms <= 150]],
  'list-offset': [['p99 ≤ 100 ms', (row) => row.ours?.p99Ms, (ms) => ms <= 100]],
  'projection-lag': [
    [
      'lag p99 ≤ 200 ms',
      // An event never applied has no lag to rank, but it certainly misses the target.
      (row) => (row.ours && row.ours.applied < row.ours.events ? `${row.ours.events - row.ours.applied} events never applied` : row.ours?.lagP99Ms),
      (ms) => typeof ms === 'number' && ms <= 200,
    ],
  ],
};
const RSS_LIMIT_MB = 300;

function ratio(a, b) {
  return a === undefined || b === undefined || !b ? undefined : Math.round((a / b) * 100) / 100;
}

export function evaluate(results) {
  const checks = results.flatMap((row) =>
    (TARGETS[row.scenario] ?? []).map(([target, actualOf, passes]) => {
      const actual = actualOf(row);
      return { scenario: row.scenario, target, actual: actual ?? null, met: actual === undefined ? null : passes(actual) };
    }),
  );
  // Per process: the API process and the workers process (relay + projector) each.
  const peakRss = Math.max(0, ...results.flatMap((row) => [row.ours?.serverRssMb ?? 0, row.ours?.workersRssMb ?? 0]));
  checks.push({ scenario: 'all', target: `service RSS ≤ ${RSS_LIMIT_MB} MB (each process)`, actual: peakRss, met: peakRss <= RSS_LIMIT_MB });
  return checks;
}

export function writeReport({ root, results, setup }) {
  const dir = path.join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const checks = evaluate(results);
  const json = path.join(dir, `${stamp}.json`);
  const markdown = path.join(dir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify({ at: new Date().toISOString(), setup, results, checks }, null, 2)}\n`);
  writeFileSync(markdown, toMarkdown({ setup, results, checks }));
  return [json, markdown];
}

const cell = (value, unit = '') => (value === undefined || value === null ? '—' : `${value}${unit}`);

function toMarkdown({ setup, results, checks }) {
  const lines = [
    `# Benchmark ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${setup.customers.toLocaleString('en')} customers over ${setup.counterparties} counterparties (largest: ${setup.largestCounterparty.toLocaleString('en')}); ` +
      `${setup.connections} HTTP connections for ${setup.seconds} s after a ${setup.warmUpSeconds} s warm-up; pgbench ${setup.pgbenchClients} clients ` +
      `(= the service's pool); Node ${setup.node}. CPU in % of one core (this machine has ${setup.cores}). ` +
      'The service runs as two processes (ADR 4): the API ("server"), and the relay + projector ("workers"). ' +
      `Every Node server runs with --max-old-space-size=${setup.heapMb ?? 'default'}.`,
    '',
    '| scenario | who | req/s | p50 ms | p99 ms | server CPU | workers CPU | PostgreSQL CPU | server RSS MB | workers RSS MB | non-2xx / failed | ours ÷ this (req/s) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of results) {
    const who = [['service', row.ours], ['framework-free', row.bare], ['pgbench (same SQL)', row.sql]].filter(([, r]) => r);
    for (const [name, r] of who) {
      lines.push(
        `| ${row.scenario} | ${name} | ${cell(r.rps)} | ${cell(r.p50Ms)} | ${cell(r.p99Ms)} | ${cell(r.serverCpuPct, '%')} | ${cell(r.workersCpuPct, '%')} | ` +
          `${cell(r.postgresCpuPct, '%')} | ${cell(r.serverRssMb)} | ${cell(r.workersRssMb)} | ${cell(r.non2xx ?? r.failed)} | ${r === row.ours ? '' : cell(ratio(row.ours.rps, r.rps))} |`,
      );
    }
    if (row.scenario === 'projection-lag') {
      lines.push(`| projection-lag | lag commit → read model | ${row.ours.applied}/${row.ours.events} events | ${row.ours.lagP50Ms} | ${row.ours.lagP99Ms} | | | | | | max ${row.ours.lagMaxMs} ms | |`);
      lines.push(`| projection-lag | of which commit → Kafka (relay) | | ${row.ours.relayP50Ms} | ${row.ours.relayP99Ms} | | | | | | | |`);
    }
  }
  lines.push('', '| scenario | target | this run | met |', '|---|---|---:|---|');
  for (const check of checks) lines.push(`| ${check.scenario} | ${check.target} | ${cell(check.actual)} | ${check.met === null ? 'not measured' : check.met ? 'yes' : '**no**'} |`);
  return `${lines.join('\n')}\n`;
}
