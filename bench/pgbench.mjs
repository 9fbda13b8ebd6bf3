// The SQL limit: pgbench running the service's own statements (the same text, with the
// placeholders turned into pgbench variables), over the extended protocol as node-postgres
// uses it (unnamed statements, parse + bind + execute each time, values as untyped text).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The pgbench binary (PGBENCH, else on PATH), or null when this machine has none. */
export function findPgbench() {
  const binary = process.env.PGBENCH ?? 'pgbench';
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
    return binary;
  } catch {
    return null;
  }
}

/**
 * `$1 … $n` of `text` become pgbench variables: `vary[n]` when the value changes per
 * transaction (set by a `\gset` query), else `:<prefix>n` bound once with -D to its value (arrays
 * in PostgreSQL's array syntax). A null value is written as NULL (pgbench cannot bind one).
 * @param {{ text: string, values: readonly unknown[] }} statement  as the service passes it to node-postgres
 * @param {string} prefix
 * @param {Record<string, string>} [vary]  placeholder number → pgbench variable
 * @returns {{ sql: string, defines: Record<string, string> }}
 */
export function asPgbench({ text, values }, prefix, vary = {}) {
  /** @type {Record<string, string>} */
  const defines = {};
  const sql = text
    .replace(/\$(\d+)/g, (/** @type {string} */ _, /** @type {string} */ n) => {
      if (vary[n]) return `:${vary[n]}`;
      const value = values[Number(n) - 1];
      if (value === null || value === undefined) return 'NULL';
      defines[`${prefix}${n}`] = literal(value);
      return `:${prefix}${n}`;
    })
    .replace(/\s*\n\s*/g, ' ');
  return { sql, defines };
}

/** @param {unknown} value */
function literal(value) {
  if (Array.isArray(value)) return `{${value.map((item) => `"${String(item).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Runs one pgbench script for `seconds` with `clients` connections; with `rate`, an open loop of
 * that many transactions per second (Poisson arrivals), each latency counted from its scheduled
 * start, so time spent waiting for a free client counts too. Given several scripts, each
 * transaction runs one of them picked at random (equal weights), so they share the same moments
 * and load; `scripts` then has each one's numbers (their defines must not share names).
 * @returns {Promise<{ transactions: number, tps: number, p50Ms: number, p99Ms: number, failed: number,
 *   scripts?: { transactions: number, tps: number, p50Ms: number, p99Ms: number, meanMs: number }[] }>}
 * @param {{ binary: string, databaseUrl: string, script: string | string[], defines?: Record<string, string>, clients: number,
 *   seconds: number, rate?: number, workDir: string }} options
 */
export async function runPgbench({ binary, databaseUrl, script, defines = {}, clients, seconds, rate, workDir }) {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const scripts = [script].flat();
  const scriptFiles = scripts.map((text, n) => {
    const file = path.join(workDir, `script-${n}.sql`);
    writeFileSync(file, `${text.trim()}\n`);
    return file;
  });
  const args = [
    '--no-vacuum', '--protocol=extended', `--client=${clients}`, `--jobs=${Math.min(clients, 2)}`, `--time=${seconds}`,
    ...(rate ? [`--rate=${rate}`] : []),
    ...scriptFiles.map((file) => `--file=${file}@1`), '--log', `--log-prefix=${path.join(workDir, 'tx')}`,
    ...Object.entries(defines).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
    databaseUrl,
  ];
  const { code, stdout, stderr } = await run(binary, args, workDir);
  if (code !== 0) throw new Error(`pgbench exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const transactions = readdirSync(workDir)
    .filter((file) => file.startsWith('tx.'))
    .flatMap((file) => readFileSync(path.join(workDir, file), 'utf8').trim().split('\n'))
    .filter(Boolean)
    // client_id transaction_no latency_us script_no epoch_s epoch_us [schedule_lag_us]
    .map((line) => line.split(' '))
    .map((fields) => ({ ms: Number(fields[2]) / 1000, script: Number(fields[3]) }));
  const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
  const all = { ...latencyStats(transactions.map(({ ms }) => ms), seconds), failed };
  if (scripts.length === 1) return all;
  return { ...all, scripts: scripts.map((_, n) => latencyStats(transactions.filter(({ script: no }) => no === n).map(({ ms }) => ms), seconds)) };
}

/**
 * @param {readonly number[]} latencies
 * @param {number} seconds
 */
function latencyStats(latencies, seconds) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (/** @type {number} */ ms) => Math.round(ms * 100) / 100;
  const at = (/** @type {number} */ share) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]) : NaN);
  const meanMs = sorted.length ? round(sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length) : NaN;
  return { transactions: sorted.length, tps: Math.round(sorted.length / seconds), p50Ms: at(0.5), p99Ms: at(0.99), meanMs };
}

/**
 * @param {string} binary
 * @param {string[]} args
 * @param {string} cwd
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function run(binary, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
