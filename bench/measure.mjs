// What a scenario costs the machine: CPU time of the server process (and of the service's
// worker process, relay + projector, when there is one), of PostgreSQL (every backend,
// including those that exited during the run) and of Kafka's JVM, and each Node process's peak
// RSS, read from /proc (Linux). CPU is reported in % of one core over the wall time measured
// (measuredLoad: over the load alone), and in ms (cpuMs) so a scenario can divide it by the
// requests it served, net of idle CPU (perRequest).
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux this runs on
const PAGE_BYTES = 4096;
const RSS_SAMPLE_MS = 250;

/**
 * utime, stime, cutime, cstime (clock ticks) and rss (bytes) of a process, or null when it is gone.
 * @param {number} pid
 * @returns {{ ppid: number, utime: number, stime: number, cutime: number, cstime: number, rss: number } | null}
 */
function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const number = (/** @type {number} */ field) => Number(fields[field - 3]);
    return { ppid: number(4), utime: number(14), stime: number(15), cutime: number(16), cstime: number(17), rss: number(24) * PAGE_BYTES };
  } catch {
    return null;
  }
}

const ownTicks = (/** @type {ReturnType<typeof statOf>} */ stat) => (stat ? stat.utime + stat.stime : 0);

/**
 * PostgreSQL's CPU so far: the postmaster, its live children, and (through the postmaster's
 * cutime/cstime) the children it has already reaped.
 * @param {number} postmasterPid
 */
function postgresTicks(postmasterPid) {
  const postmaster = statOf(postmasterPid);
  if (!postmaster) return 0;
  let ticks = ownTicks(postmaster) + postmaster.cutime + postmaster.cstime;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat?.ppid === postmasterPid) ticks += ownTicks(stat);
  }
  return ticks;
}

/**
 * CPU (from `stop()`, in % of one core) and peak RSS of one process while measuring.
 * @param {number | undefined} pid
 */
function processMeter(pid) {
  const start = pid ? ownTicks(statOf(pid)) : 0;
  let peakRss = 0;
  return {
    sample() {
      if (pid) peakRss = Math.max(peakRss, statOf(pid)?.rss ?? 0);
    },
    cpuTicks: () => (pid ? ownTicks(statOf(pid)) - start : null),
    rssMb: () => (pid ? Math.round(peakRss / 1e5) / 10 : null),
  };
}

/** @typedef {{ server: number | null, workers: number | null, postgres: number, kafka: number | null }} CpuMs  CPU ms per process (null: not measured) */

/**
 * Starts measuring; `stop()` returns { serverCpuPct, serverRssMb, workersCpuPct, workersRssMb,
 * postgresCpuPct, kafkaCpuPct, loadAvg1m, seconds, cpuMs } (null for a process not given);
 * `snapshot()` returns the same so far and goes on measuring.
 * @param {{ serverPid?: number, workersPid?: number, postmasterPid: number, kafkaPid?: number }} pids
 */
export function startMeasuring({ serverPid, workersPid, postmasterPid, kafkaPid }) {
  const started = process.hrtime.bigint();
  const server = processMeter(serverPid);
  const workers = processMeter(workersPid);
  const kafka = processMeter(kafkaPid);
  const postgresStart = postgresTicks(postmasterPid);
  const sample = () => {
    server.sample();
    workers.sample();
  };
  sample();
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  const snapshot = () => {
    sample();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ticks = { server: server.cpuTicks(), workers: workers.cpuTicks(), postgres: postgresTicks(postmasterPid) - postgresStart, kafka: kafka.cpuTicks() };
    const pct = (/** @type {number | null} */ count) => (count === null ? null : Math.round((count / TICKS_PER_SECOND / seconds) * 1000) / 10);
    const ms = (/** @type {number | null} */ count) => (count === null ? null : (count * 1000) / TICKS_PER_SECOND);
    return {
      serverCpuPct: pct(ticks.server),
      serverRssMb: server.rssMb(),
      workersCpuPct: pct(ticks.workers),
      workersRssMb: workers.rssMb(),
      postgresCpuPct: pct(ticks.postgres),
      kafkaCpuPct: pct(ticks.kafka),
      loadAvg1m: Math.round(os.loadavg()[0] * 100) / 100,
      seconds: Math.round(seconds * 1000) / 1000,
      /** @type {CpuMs} */
      cpuMs: { server: ms(ticks.server), workers: ms(ticks.workers), postgres: /** @type {number} */ (ms(ticks.postgres)), kafka: ms(ticks.kafka) },
    };
  };
  return {
    snapshot,
    stop() {
      clearInterval(timer);
      return snapshot();
    },
  };
}

/** How long idleRates watches the processes, before and again after each measurement. */
export const IDLE_MS = 3000;
/** Idle rates before and after a measurement that differ by more than this (CPU ms per s) are logged. */
const IDLE_SPREAD_WARNING = 20;

/**
 * Each process's CPU ms per second while no request is sent (timers, polls, Kafka's own work),
 * watched for `ms`: subtracted from a measurement (perRequest), so a request's cost is what it
 * added, not the machine's background.
 * @param {Parameters<typeof startMeasuring>[0]} pids
 * @param {number} [ms]
 * @returns {Promise<CpuMs>}
 */
export async function idleRates(pids, ms = IDLE_MS) {
  const measuring = startMeasuring(pids);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const { cpuMs, seconds } = measuring.stop();
  const rate = (/** @type {number | null} */ value) => (value === null ? null : Math.round((value / seconds) * 10) / 10);
  return { server: rate(cpuMs.server), workers: rate(cpuMs.workers), postgres: /** @type {number} */ (rate(cpuMs.postgres)), kafka: rate(cpuMs.kafka) };
}

/**
 * Of two idle samples, each process's lower rate: background work that happens to fall in one
 * sample (Kafka's housekeeping after startup, PostgreSQL's autovacuum after a scenario's writes)
 * is not the idle cost of the whole measurement, and subtracting it would understate a request's.
 * @param {CpuMs} before
 * @param {CpuMs} after
 * @returns {CpuMs}
 */
export function lowerIdle(before, after) {
  const lower = (/** @type {keyof CpuMs} */ name) => {
    const [a, b] = [before[name], after[name]];
    return a === null || b === null ? a ?? b : Math.min(a, b);
  };
  return { server: lower('server'), workers: lower('workers'), postgres: /** @type {number} */ (lower('postgres')), kafka: lower('kafka') };
}

/**
 * One measured load, the sequence every scenario that reports CPU per request follows: wait
 * until the previous scenario's events are worked off; each process's idle CPU; an unmeasured
 * warm-up (its events worked off too, when the load writes); the load, measured; `drain` (e.g.
 * until the relay and the projector have worked off the load's events), still measured, so a
 * write's CPU per request is its whole pipeline's; each process's idle CPU again. The lower of
 * the two idle rates is subtracted (lowerIdle). CPU % is of the load alone (a snapshot at its
 * end); CPU ms and RSS run to the end of the drain.
 * @template R
 * @param {{ pids: Parameters<typeof startMeasuring>[0], quiesce: () => Promise<void>, log: (line: string) => void, label: string,
 *   warmUp?: () => Promise<unknown>, load: () => Promise<R>, drain?: (result: R) => Promise<void>, served: (result: R) => number }} steps
 */
export async function measuredLoad({ pids, quiesce, log, label, warmUp, load, drain, served }) {
  await quiesce();
  const before = await idleRates(pids);
  if (warmUp) {
    await warmUp();
    if (drain) await quiesce();
  }
  const measuring = startMeasuring(pids);
  const result = await load();
  const atLoadEnd = measuring.snapshot();
  if (drain) await drain(result);
  const whole = measuring.stop();
  const after = await idleRates(pids);
  const idle = lowerIdle(before, after);
  const spread = /** @type {(keyof CpuMs)[]} */ (Object.keys(idle)).filter((name) => Math.abs((before[name] ?? 0) - (after[name] ?? 0)) > IDLE_SPREAD_WARNING);
  if (spread.length) {
    log(`${label}: idle CPU moved between before and after (${spread.map((name) => `${name} ${before[name]} → ${after[name]} ms/s`).join(', ')}); the lower is subtracted`);
  }
  const usage = {
    ...whole,
    serverCpuPct: atLoadEnd.serverCpuPct, workersCpuPct: atLoadEnd.workersCpuPct, postgresCpuPct: atLoadEnd.postgresCpuPct, kafkaCpuPct: atLoadEnd.kafkaCpuPct,
    loadSeconds: atLoadEnd.seconds,
    idleMsPerSecond: { before, after },
    cpuPerRequest: perRequest(whole, served(result), idle),
  };
  return { result, usage };
}

/** @typedef {CpuMs & { total: number }} CpuPerRequest  CPU ms per request of each process, and their sum */

/**
 * CPU ms per request of each process over a measurement of `requests` requests, net of what the
 * process burns idle over the same time (`idle`, from idleRates); never below 0. With a
 * measurement that ran until the relay and the projector had worked off every event the
 * requests caused, the total is the whole pipeline's cost of one request.
 * @param {{ cpuMs: CpuMs, seconds: number }} usage
 * @param {number} requests
 * @param {CpuMs} idle
 * @returns {CpuPerRequest | null}  null when no request was served
 */
export function perRequest({ cpuMs, seconds }, requests, idle) {
  if (!requests) return null;
  const net = (/** @type {keyof CpuMs} */ name) => {
    const used = cpuMs[name];
    return used === null ? null : Math.round((Math.max(0, used - (idle[name] ?? 0) * seconds) / requests) * 1000) / 1000;
  };
  const each = { server: net('server'), workers: net('workers'), postgres: /** @type {number} */ (net('postgres')), kafka: net('kafka') };
  const total = Object.values(each).reduce((/** @type {number} */ sum, value) => sum + (value ?? 0), 0);
  return { ...each, total: Math.round(total * 1000) / 1000 };
}
