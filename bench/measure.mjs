// What a scenario costs the machine: CPU time of the server process (and of the service's
// worker process, relay + projector, when there is one) and of PostgreSQL (every backend,
// including those that exited during the run), and each process's peak RSS, read from /proc
// (Linux). CPU is reported in % of one core over the scenario's wall time.
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

/**
 * Starts measuring; `stop()` returns { serverCpuPct, serverRssMb, workersCpuPct, workersRssMb,
 * postgresCpuPct, loadAvg1m } (null for a process not given).
 * @param {{ serverPid?: number, workersPid?: number, postmasterPid: number }} pids
 */
export function startMeasuring({ serverPid, workersPid, postmasterPid }) {
  const started = process.hrtime.bigint();
  const server = processMeter(serverPid);
  const workers = processMeter(workersPid);
  const postgresStart = postgresTicks(postmasterPid);
  const sample = () => {
    server.sample();
    workers.sample();
  };
  sample();
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const pct = (/** @type {number | null} */ ticks) => (ticks === null ? null : Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10);
      return {
        serverCpuPct: pct(server.cpuTicks()),
        serverRssMb: server.rssMb(),
        workersCpuPct: pct(workers.cpuTicks()),
        workersRssMb: workers.rssMb(),
        postgresCpuPct: pct(postgresTicks(postmasterPid) - postgresStart),
        loadAvg1m: Math.round(os.loadavg()[0] * 100) / 100,
      };
    },
  };
}
