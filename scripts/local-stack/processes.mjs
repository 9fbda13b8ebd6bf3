// Small helpers about OS processes, by pid. Linux only (reads /proc), like the rest of
// the local stack.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (error) {
    // EPERM: it exists but belongs to someone else; still alive.
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/** @param {number} pid */
function isZombie(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * The command line of a live process, arguments joined by spaces ('' when gone).
 * @param {number} pid
 */
export function commandLineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** @param {number} pid */
export function parentPidOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * A live Node.js process (the owner of a server or of a test run)?
 * @param {number} pid
 */
export function isNodeProcess(pid) {
  if (!isAlive(pid)) return false;
  const program = path.basename(commandLineOf(pid).split(' ')[0]);
  return program === 'node' || program === path.basename(process.execPath);
}

/**
 * Whether a server we launched is still looked after by the Node process that launched
 * it. Our servers are spawned straight from Node (the watchdog shell execs into them),
 * so once that Node process is gone they are re-parented to init: that is "stale".
 * @param {number} pid
 */
export function hasLiveNodeParent(pid) {
  const parent = parentPidOf(pid);
  if (parent <= 1) return false;
  return parent === process.pid || isNodeProcess(parent);
}

/**
 * Reads a pid from the first line of a pid file; 0 when absent or unreadable.
 * @param {string} file
 */
export function readPidFile(file) {
  if (!existsSync(file)) return 0;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0], 10);
  return Number.isInteger(pid) && pid > 0 ? pid : 0;
}

/**
 * @param {number} pid
 * @param {number} timeoutMs
 */
export async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Asks a process to stop with `signal`, then SIGKILLs it after `graceMs`.
 * @param {number} pid
 * @param {{ signal?: NodeJS.Signals, graceMs?: number }} [options]
 */
export async function stopPid(pid, { signal = 'SIGTERM', graceMs = 15_000 } = {}) {
  if (!isAlive(pid)) return;
  try {
    // A stopped process (tests SIGSTOP the broker) would not act on the signal until resumed.
    process.kill(pid, 'SIGCONT');
    process.kill(pid, signal);
  } catch {
    return;
  }
  if (await waitForExit(pid, graceMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitForExit(pid, 5_000);
}

/**
 * The last lines of a log file, for error messages.
 * @param {string} file
 */
export function tailOf(file, lines = 25) {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** @param {number} startedAt epoch ms */
export const seconds = (startedAt) => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
