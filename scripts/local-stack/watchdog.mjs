// Starts a server process that cannot outlive the Node process that started it.
//
// A `kill -9` of Node runs no exit hook, so the server would keep running (and keep its
// ports) forever. Instead the server is started through a tiny `sh` that
//   1. forks a watchdog that blocks reading the stdin pipe whose write end only Node holds
//      (Node marks its pipe ends close-on-exec, so no other child inherits them), then
//   2. `exec`s the server, so the server keeps the shell's pid: `child.pid` is the server.
// When Node exits for any reason the pipe reaches EOF and the watchdog signals the server,
// escalating to SIGKILL after 15 s. The server gets /dev/null as stdin and never sees fd 3.
//
// `detached: true` puts the server in its own session, so a terminal Ctrl-C (SIGINT to the
// whole foreground process group) does not reach it: the Node side decides the order in
// which things stop (service first, then Kafka and PostgreSQL).
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { isAlive } from './processes.mjs';

const GUARD_SCRIPT = `
stop_signal=$1; shift
exec 3<&0
{
  while read -r line <&3; do :; done
  kill -"$stop_signal" $$ 2>/dev/null || exit 0
  waited=0
  while kill -0 $$ 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' /proc/$$/status; do
    if [ $waited -ge 15 ]; then kill -KILL $$ 2>/dev/null; exit 0; fi
    sleep 1; waited=$((waited + 1))
  done
} </dev/null >/dev/null 2>&1 &
exec "$@" </dev/null 3<&-
`;

/**
 * @param {object} options
 * @param {string} options.command   executable of the server
 * @param {string[]} options.args
 * @param {string} [options.logFile]  stdout and stderr are appended here (default: ours)
 * @param {string} options.stopSignal the server's graceful-stop signal (SIGTERM, SIGINT…)
 * @param {number} [options.uid]      run as this user (PostgreSQL refuses to run as root)
 * @param {number} [options.gid]
 * @param {NodeJS.ProcessEnv} [options.env]
 * @returns {import('node:child_process').ChildProcess}
 */
export function spawnWithWatchdog({ command, args, logFile, stopSignal, uid, gid, env = process.env }) {
  const logFd = logFile ? openSync(logFile, 'a') : 'inherit';
  try {
    const child = spawn('sh', ['-c', GUARD_SCRIPT, 'watchdog', stopSignal.replace(/^SIG/, ''), command, ...args], {
      stdio: ['pipe', logFd, logFd],
      detached: true,
      env,
      ...(uid === undefined ? {} : { uid, gid }),
    });
    // Closing our end also wakes the watchdog, which then finds the server gone and exits.
    const stdin = /** @type {import('node:stream').Writable} */ (child.stdin); // 'pipe' above
    child.once('exit', () => stdin.destroy());
    stdin.on('error', () => {});
    return child;
  } finally {
    if (typeof logFd === 'number') closeSync(logFd);
  }
}

/**
 * Resolves once the child has exited (immediately if it already has).
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<void>}
 */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Graceful stop with `signal`, SIGKILL after `graceMs`; resolves when the process is gone.
 * @param {import('node:child_process').ChildProcess} child
 * @param {{ signal: NodeJS.Signals, graceMs?: number }} options
 */
export async function stopChild(child, { signal, graceMs = 15_000 }) {
  const gone = exited(child);
  if (child.pid === undefined || !isAlive(child.pid)) return gone;
  // A stopped process (tests SIGSTOP the broker) would not act on the signal until resumed.
  child.kill('SIGCONT');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}
