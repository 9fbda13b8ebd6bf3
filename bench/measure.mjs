// What a scenario costs the machine: CPU time of the server process and of PostgreSQL (every
// backend, including those that exited during the run), and the server's peak RSS, read from
// /proc (Linux). CPU is reported in % of one core over the scenario's wall time.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux this runs on
const PAGE_BYTES = 4096;
const RSS_SAMPLE_MS = 250;

/** utime, stime, cutime, cstime (clock ticks) and rss (bytes) of a process, or null when it is gone. */
function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const number = (field) => Number(fields[field - 3]);
    return { ppid: number(4), utime: number(14), stime: number(15), cutime: number(16), cstime: number(17), rss: number(24) * PAGE_BYTES };
  } catch {
    return null;
  }
}

const ownTicks = (stat) => (stat ? stat.utime + stat.stime : 0);

/**
 * PostgreSQL's CPU so far: the postmaster, its live children, and (through the postmaster's
 * cutime/cstime) the children it has already reaped.
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
 * Starts measuring; `stop()` returns { serverCpuPct, postgresCpuPct, serverRssMb, loadAvg }.
 * @param {{ serverPid?: number, postmasterPid: number }} pids
 */
export function startMeasuring({ serverPid, postmasterPid }) {
  const started = process.hrtime.bigint();
  const serverStart = serverPid ? ownTicks(statOf(serverPid)) : 0;
  const postgresStart = postgresTicks(postmasterPid);
  let peakRss = 0;
  const sampleRss = () => {
    const rss = serverPid ? statOf(serverPid)?.rss ?? 0 : 0;
    peakRss = Math.max(peakRss, rss);
  };
  sampleRss();
  const timer = setInterval(sampleRss, RSS_SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sampleRss();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const pct = (ticks) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10;
      return {
        serverCpuPct: serverPid ? pct(ownTicks(statOf(serverPid)) - serverStart) : null,
        postgresCpuPct: pct(postgresTicks(postmasterPid) - postgresStart),
        serverRssMb: serverPid ? Math.round(peakRss / 1e5) / 10 : null,
        loadAvg1m: Math.round(os.loadavg()[0] * 100) / 100,
      };
    },
  };
}
