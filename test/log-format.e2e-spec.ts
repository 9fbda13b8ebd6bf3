import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { call, newCounterparty } from './support/app';
import { waitFor } from './support/outbox-rows';
import { REPO_ROOT } from './support/repo-root';

// `npm start` in a terminal prints readable lines (anywhere else, JSON: see the JSON check in
// tracing.e2e-spec.ts, whose service writes to a pipe). The terminal is a real pseudo-terminal
// from util-linux's `script` (Debian's essential bsdutils). An api-only service logs requests.
const root = REPO_ROOT;
// eslint-disable-next-line no-control-regex -- ESC (0x1b) starts every ANSI colour sequence: matching it is the point
const ANSI = /\x1b\[[0-9;]*m/g;
const env = { ...process.env, ROLES: 'api', PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
const main = 'node -r ts-node/register/transpile-only -r tsconfig-paths/register apps/customer-service/src/main.ts';

it('prints readable lines, not JSON, when stdout is a terminal', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'log-format-'));
  const pidFile = path.join(dir, 'pid');
  const child = spawn('script', ['-qfec', `echo $$ > ${pidFile}; exec ${main}`, '/dev/null'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const plain = () => output.replace(ANSI, '').replace(/\r/g, '');
  try {
    // The whole API line, up to its end: a terminal's output can arrive mid-line (under CPU
    // contention the address was once read as "http://127.0.0." before its end had arrived).
    const apiLine = /API: +(http:\/\/\S+:\d+\S*)\n/;
    await waitFor('the banner and the whole API line', () => /customer-service is up/.test(plain()) && apiLine.test(plain()), 60_000);
    const api = apiLine.exec(plain())![1];
    expect((await call('GET', `${api}/counterparty/${newCounterparty()}/customers/not-a-guid`)).status).toBe(400);
    await waitFor('the request line', () => /GET \/api\/v1\/counterparty\/\S+ → 400/.test(plain()), 10_000);
    const lines = plain().split('\n').filter((line) => line.trim() !== '');
    expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
    expect(lines.some((line) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: /.test(line))).toBe(true);
    expect(output).toMatch(ANSI); // coloured
  } finally {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(pid, 'SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
