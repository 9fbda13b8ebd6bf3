// Runs a PostgreSQL of its own for one test file that crashes it: the test run's server is
// shared by every file, so it must never be stopped. Started by dedicated-postgres.ts; prints
// one JSON line once the server answers ({ url, pid }), then obeys one command per line on its
// standard input, answering each with one JSON line:
//   crash  an immediate shutdown (SIGQUIT to the postmaster: no checkpoint, crash recovery at
//          the next start), answered once the postmaster is gone;
//   start  the server again, same data and port, answered once it accepts connections.
// Stops the server (deleting its data) when its standard input closes — also when the Jest
// worker that started it dies.
//
// Durable settings (not the test run's fsync=off / synchronous_commit=off): a commit the
// service acknowledged must survive the crash, as it would in production.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/local-stack/ports.mjs';
import { startPostgres } from '../../scripts/local-stack/postgres.mjs';
import { isAlive, waitForExit } from '../../scripts/local-stack/processes.mjs';
import { obeyCommands, reply } from './line-commands.mjs';

// Under /tmp: the embedded PostgreSQL runs as the `postgres` user, which must reach its data dir.
const dataRoot = mkdtempSync(path.join(tmpdir(), 'customer-service-dedicated-pg-'));
chmodSync(dataRoot, 0o755);
const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);

const port = await freePort();
const options = { dataDir: path.join(dataRoot, 'postgres'), port, database: 'customer_service', log, settings: ['max_connections=200'] };
/** @type {Awaited<ReturnType<typeof startPostgres>> | undefined} */
let server;
/** @type {Promise<never> | undefined} */
let stopping;
const stop = () =>
  (stopping ??= (async () => {
    await server?.stop().catch(() => undefined);
    rmSync(dataRoot, { recursive: true, force: true });
    process.exit(0);
  })());
process.on('SIGTERM', stop);
// A terminal's Ctrl-C reaches the whole foreground process group: clean up, as for SIGTERM.
process.on('SIGINT', stop);

/** @type {Record<string, () => Promise<unknown>>} */
const commands = {
  async crash() {
    if (!server) throw new Error('the server was never started');
    const { pid } = server;
    if (isAlive(pid)) process.kill(pid, 'SIGQUIT');
    if (!(await waitForExit(pid, 15_000))) throw new Error(`postmaster ${pid} did not exit after SIGQUIT`);
    return { crashed: pid };
  },
  async start() {
    server = await startPostgres(options);
    return { started: server.pid };
  },
};

try {
  server = await startPostgres(options);
  reply({ url: server.url, pid: server.pid });
} catch (error) {
  log(`dedicated PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}`);
  rmSync(dataRoot, { recursive: true, force: true });
  process.exit(1);
}

obeyCommands(commands, stop);
