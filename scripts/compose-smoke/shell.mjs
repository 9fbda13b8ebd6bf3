// Running commands with progress: every step prints when it starts and how long it took, and
// a long command shows its latest output line every few seconds. Full output goes to a log.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const startedAt = Date.now();
/** @type {string | undefined} */
let logFile;

/** @param {string} file */
export function useLogFile(file) {
  mkdirSync(path.dirname(file), { recursive: true });
  logFile = file;
}

const clock = () => {
  const s = Math.round((Date.now() - startedAt) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
export const elapsed = (/** @type {number} */ since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
export const wallTime = () => elapsed(startedAt);

/** @param {string} line */
export function say(line) {
  process.stdout.write(`[${clock()}] ${line}\n`);
  if (logFile) appendFileSync(logFile, `[${clock()}] ${line}\n`);
}

/**
 * Runs `fn` as a named step: "▶ name" … "✓ name (12.3 s)", or "✗ name" and rethrows.
 * @template T
 * @param {string} name
 * @param {() => T | Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function step(name, fn) {
  const since = Date.now();
  say(`▶ ${name}`);
  try {
    const result = await fn();
    say(`✓ ${name} (${elapsed(since)})`);
    return result;
  } catch (error) {
    say(`✗ ${name} (${elapsed(since)})`);
    throw error;
  }
}

export class CommandError extends Error {
  /**
   * @param {string} command
   * @param {number | null} code
   * @param {string} output
   */
  constructor(command, code, output) {
    super(`${command} failed (exit ${code}):\n${output.trimEnd().split('\n').slice(-25).join('\n')}`);
    this.code = code;
    this.output = output;
  }
}

/**
 * @typedef {object} RunOptions
 * @property {NodeJS.ProcessEnv} [env] added to this process's environment
 * @property {string} [cwd]
 * @property {string} [input] written to the command's stdin
 * @property {boolean} [allowFailure]
 * @property {boolean} [quiet] no progress lines
 * @property {number} [progressEveryMs]
 */
/** @typedef {{ code: number | null, stdout: string, stderr: string }} RunOutcome */

/**
 * Runs a command; resolves with its stdout (stderr kept apart). Rejects with the tail of its
 * output unless `allowFailure`, in which case it resolves with { code, stdout, stderr }.
 * @overload
 * @param {string} command
 * @param {readonly string[]} args
 * @param {RunOptions & { allowFailure: true }} options
 * @returns {Promise<RunOutcome>}
 */
/**
 * @overload
 * @param {string} command
 * @param {readonly string[]} args
 * @param {RunOptions & { allowFailure?: false }} [options]
 * @returns {Promise<string>}
 */
/**
 * @overload
 * @param {string} command
 * @param {readonly string[]} args
 * @param {RunOptions} [options]
 * @returns {Promise<string | RunOutcome>}
 */
/**
 * @param {string} command
 * @param {readonly string[]} args
 * @param {RunOptions} [options]
 * @returns {Promise<string | RunOutcome>}
 */
export function run(command, args, { env, cwd, input, allowFailure = false, quiet = false, progressEveryMs = 10_000 } = {}) {
  const shown = [command, ...args].join(' ');
  if (logFile) appendFileSync(logFile, `$ ${shown}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let last = '';
    const collect = (/** @type {'out' | 'err'} */ sink) => (/** @type {Buffer} */ chunk) => {
      const text = chunk.toString();
      if (sink === 'out') stdout += text; else stderr += text;
      if (logFile) appendFileSync(logFile, text);
      const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
      last = lines.at(-1) ?? last;
    };
    child.stdout.on('data', collect('out'));
    child.stderr.on('data', collect('err'));
    const since = Date.now();
    const ticker = quiet ? undefined : setInterval(() => {
      if (last) say(`  … ${elapsed(since)}: ${last.slice(0, 140)}`);
    }, progressEveryMs);
    child.stdin.on('error', () => {}); // a command that exits before reading its input
    child.stdin.end(input ?? '');
    child.once('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.once('close', (code) => {
      clearInterval(ticker);
      if (code === 0 && !allowFailure) return resolve(stdout);
      if (allowFailure) return resolve({ code, stdout, stderr });
      reject(new CommandError(shown, code, stdout + stderr));
    });
  });
}

/**
 * Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`.
 * @template T
 * @param {string} what
 * @param {() => Promise<T | { waiting: string } | false | null | undefined>} probe what it has seen so far as `{ waiting }`
 * @param {{ timeoutMs: number, intervalMs?: number }} options
 * @returns {Promise<T>}
 */
export async function waitFor(what, probe, { timeoutMs, intervalMs = 1000 }) {
  const deadline = Date.now() + timeoutMs;
  let lastState;
  for (;;) {
    const result = await probe();
    const waiting = result ? /** @type {{ waiting?: string }} */ (result).waiting : undefined;
    if (result && !waiting) return /** @type {T} */ (result);
    lastState = waiting ?? lastState;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s${lastState ? ` (last seen: ${lastState})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
