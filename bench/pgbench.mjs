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
 * @returns {{ sql: string, defines: Record<string, string> }}
 */
export function asPgbench({ text, values }, prefix, vary = {}) {
  const defines = {};
  const sql = text
    .replace(/\$(\d+)/g, (_, n) => {
      if (vary[n]) return `:${vary[n]}`;
      const value = values[Number(n) - 1];
      if (value === null || value === undefined) return 'NULL';
      defines[`${prefix}${n}`] = literal(value);
      return `:${prefix}${n}`;
    })
    .replace(/\s*\n\s*/g, ' ');
  return { sql, defines };
}

function literal(value) {
  if (Array.isArray(value)) return `{${value.map((item) => `"${String(item).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Runs one pgbench script for `seconds` with `clients` connections; with `rate`, an open loop of
 * that many transactions per second (Poisson arrivals), each latency counted from its scheduled
 * start, so time spent waiting for a free client counts too.
 * @returns {Promise<{ transactions: number, tps: number, p50Ms: number, p99Ms: number, failed: number }>}
 */
export async function runPgbench({ binary, databaseUrl, script, defines = {}, clients, seconds, rate, workDir }) {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const scriptFile = path.join(workDir, 'script.sql');
  writeFileSync(scriptFile, `${script.trim()}\n`);
  const args = [
    '--no-vacuum', '--protocol=extended', `--client=${clients}`, `--jobs=${Math.min(clients, 2)}`, `--time=${seconds}`,
    ...(rate ? [`--rate=${rate}`] : []),
    `--file=${scriptFile}`, '--log', `--log-prefix=${path.join(workDir, 'tx')}`,
    ...Object.entries(defines).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
    databaseUrl,
  ];
  const { code, stdout, stderr } = await run(binary, args, workDir);
  if (code !== 0) throw new Error(`pgbench exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const latencies = readdirSync(workDir)
    .filter((file) => file.startsWith('tx.'))
    .flatMap((file) => readFileSync(path.join(workDir, file), 'utf8').trim().split('\n'))
    .filter(Boolean)
    // client_id transaction_no latency_us script_no epoch_s epoch_us [schedule_lag_us]
    .map((line) => Number(line.split(' ')[2]) / 1000)
    .sort((a, b) => a - b);
  const at = (share) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))] * 100) / 100 : NaN);
  const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
  return { transactions: latencies.length, tps: Math.round(latencies.length / seconds), p50Ms: at(0.5), p99Ms: at(0.99), failed };
}

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
