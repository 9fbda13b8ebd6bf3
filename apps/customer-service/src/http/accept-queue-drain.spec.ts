import { spawn, spawnSync } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ListenerDrain } from './accept-queue-drain';

// Connects `count` sockets to `port`, sends a request on each, and exits once every handshake
// has completed: those connections then wait in the listener's accept queue.
const CLIENT = `
const net = require('node:net');
const [port, count] = process.argv.slice(1).map(Number);
let connected = 0;
for (let i = 0; i < count; i += 1) {
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write('GET / HTTP/1.1\\r\\nhost: test\\r\\n\\r\\n');
    if ((connected += 1) === count) { process.stdout.write(count + ' connected'); process.exit(0); }
  });
  socket.on('error', (error) => { process.stdout.write(error.code); process.exit(1); });
}`;
const SILENT_CLIENT = `
const net = require('node:net');
const [port, count] = process.argv.slice(1).map(Number);
let connected = 0;
for (let i = 0; i < count; i += 1) {
  net.connect(port, '127.0.0.1', () => (connected += 1) === count && process.stdout.write('connected'));
}
setInterval(() => {}, 1000);`;
const CONNECTIONS = 20;

/** An HTTP server that counts the connections it accepted and the requests it began. */
async function listening(): Promise<{ server: Server; drain: ListenerDrain; accepted: () => number; requests: () => number }> {
  let [accepted, requests] = [0, 0];
  const server = createServer((_request, response) => {
    requests += 1;
    response.end();
  });
  server.on('connection', () => (accepted += 1));
  const drain = new ListenerDrain(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, drain, accepted: () => accepted, requests: () => requests };
}

/** Runs the client while this process's event loop is blocked (spawnSync), so nothing is accepted meanwhile. */
function queueConnections(server: Server, script = CLIENT): void {
  const { port } = server.address() as AddressInfo;
  const client = spawnSync(process.execPath, ['-e', script, String(port), String(CONNECTIONS)], { encoding: 'utf8', timeout: 60_000 });
  expect(client.stdout).toBe(`${CONNECTIONS} connected`);
}

const closed = (server: Server) => {
  const done = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return done;
};

describe('ListenerDrain', () => {
  it('closing a listener at once leaves the connections in its accept queue unread (what it prevents)', async () => {
    const { server, accepted } = await listening();
    queueConnections(server);
    await closed(server);
    expect(accepted()).toBe(0);
  });

  it('takes in every connection waiting in the accept queue and begins each one\'s request before the listener closes', async () => {
    const { server, drain, accepted, requests } = await listening();
    queueConnections(server);
    await expect(drain.drain()).resolves.toEqual({ accepted: CONNECTIONS, unread: 0 });
    expect(requests()).toBe(CONNECTIONS);
    await closed(server);
    expect(accepted()).toBe(CONNECTIONS);
  });

  it('gives up after its time on connections that send nothing, and says so', async () => {
    const { server, drain } = await listening();
    const { port } = server.address() as AddressInfo;
    // Connects and stays, silent, until killed.
    const client = spawn(process.execPath, ['-e', SILENT_CLIENT, String(port), String(CONNECTIONS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        client.stdout.on('data', (chunk: Buffer) => (String(chunk).includes('connected') ? resolve() : reject(new Error(String(chunk)))));
        client.once('exit', (code) => reject(new Error(`client exited (${code})`)));
      });
      const { unread } = await drain.drain(Date.now() + 300);
      expect(unread).toBe(CONNECTIONS);
    } finally {
      client.kill();
      await closed(server);
    }
  });
});
