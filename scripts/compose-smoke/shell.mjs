// Running commands with progress: every step prints when it starts and how long it took, and
// a long command shows its latest output line every few seconds. Full output goes to a log.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const startedAt = Date.now();
let logFile;

export function useLogFile(file) {
  mkdirSync(path.dirname(file), { recursive: true });
  logFile = file;
}

const clock = () => {
  const s = Math.round((Date.now() - startedAt) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
export const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
export const wallTime = () => elapsed(startedAt);

export function say(line) {
  process.stdout.write(`[${clock()}] ${line}\n`);
  if (logFile) appendFileSync(logFile, `[${clock()}] ${line}\n`);
}

/** Runs `fn` as a named step: "▶ name" … "✓ name (12.3 s)", or "✗ name" and rethrows. */
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
  constructor(command, code, output) {
    super(`${command} failed (exit ${code}):\n${output.trimEnd().split('\n').slice(-25).join('\n')}`);
    this.code = code;
    this.output = output;
  }
}

/**
 * Runs a command; resolves with its stdout (stderr kept apart). Rejects with the tail of its
 * output unless `allowFailure`, in which case it resolves with { code, stdout, stderr }.
 */
export function run(command, args, { env, cwd, input, allowFailure = false, quiet = false, progressEveryMs = 10_000 } = {}) {
  const shown = [command, ...args].join(' ');
  if (logFile) appendFileSync(logFile, `$ ${shown}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let last = '';
    const collect = (sink) => (chunk) => {
      const text = chunk.toString();
      if (sink === 'out') stdout += text; else stderr += text;
      if (logFile) appendFileSync(logFile, text);
      const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
      if (lines.length) last = lines.at(-1);
    };
    child.stdout.on('data', collect('out'));
    child.stderr.on('data', collect('err'));
    const since = Date.now();
    const ticker = quiet ? null : setInterval(() => {
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

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor(what, probe, { timeoutMs, intervalMs = 1000 }) {
  const deadline = Date.now() + timeoutMs;
  let lastState;
  for (;;) {
    const result = await probe();
    if (result && result !== false && !result.waiting) return result;
    lastState = result?.waiting ?? lastState;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s${lastState ? ` (last seen: ${lastState})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
