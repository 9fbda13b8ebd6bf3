import net from 'node:net';

/** A TCP port that is free on 127.0.0.1 right now (the OS picks it). */
export async function freePort() {
  const [port] = await freePorts(1);
  return port;
}

/**
 * `count` distinct free ports: all are held open together so none is handed out twice.
 * @param {number} count
 * @returns {Promise<number[]>}
 */
export async function freePorts(count) {
  const servers = await Promise.all(Array.from({ length: count }, listenOnAnyPort));
  const ports = servers.map((server) => /** @type {net.AddressInfo} */ (server.address()).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** @returns {Promise<net.Server>} */
function listenOnAnyPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Fails with a message naming the port and its use, instead of letting a server die
 * later with a bind error buried in its own log.
 * @param {number} port
 * @param {string} what
 * @returns {Promise<void>}
 */
export function assertPortFree(port, what) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (/** @type {NodeJS.ErrnoException} */ error) => {
      const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${error.code})`;
      reject(new Error(`port ${port} for ${what} ${reason} on 127.0.0.1; stop whatever holds it or choose another port`));
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
