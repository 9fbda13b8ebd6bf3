import { isIP, Socket } from 'node:net';
import { connect as tlsConnect, ConnectionOptions } from 'node:tls';

/**
 * Raw questions to one Kafka listener, asked only after a connection failed for an unclear
 * reason (the broker just closed it): does it speak TLS, does it answer plaintext Kafka, does
 * it want SASL. Each answers true/false, or undefined when the listener said nothing in time.
 */
const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const CORRELATION_ID = 0x5eed;

/** True when a TLS handshake gets an answer (even a refusal: an alert is TLS too). */
export function speaksTls(host: string, port: number, timeoutMs: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    const done = settle(socket, timeoutMs, resolve);
    socket.once('secureConnect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(/^ERR_SSL_.*ALERT/.test(error.code ?? '') ? true : false));
    socket.once('close', () => done(false));
  });
}

/** True when the listener answers a plaintext Kafka ApiVersions request. */
export async function answersPlaintext(host: string, port: number, timeoutMs: number): Promise<boolean | undefined> {
  const response = await exchange(() => new Socket().connect({ host, port }), 'connect', request(API_VERSIONS, 0, Buffer.alloc(0)), timeoutMs);
  return response === undefined ? undefined : response !== null;
}

/**
 * The SASL mechanisms the listener offers (empty when it does not use SASL), asked over the
 * transport the client is configured with. undefined when the question itself failed.
 */
export async function saslMechanisms(host: string, port: number, tls: ConnectionOptions | undefined, timeoutMs: number): Promise<string[] | undefined> {
  const mechanism = Buffer.from('PLAIN');
  const body = Buffer.concat([int16(mechanism.length), mechanism]);
  const open = () => (tls ? tlsConnect({ host, port, ...tls, ...(isIP(host) ? {} : { servername: host }) }) : new Socket().connect({ host, port }));
  const response = await exchange(open, tls ? 'secureConnect' : 'connect', request(SASL_HANDSHAKE, 1, body), timeoutMs);
  if (!response) return undefined;
  // error_code int16, then an array (int32 count) of int16-length strings.
  const errorCode = response.readInt16BE(0);
  if (errorCode === 34) return []; // ILLEGAL_SASL_STATE: this listener does not authenticate with SASL
  const mechanisms: string[] = [];
  for (let i = 0, at = 6, count = response.readInt32BE(2); i < count && at + 2 <= response.length; i++) {
    const length = response.readInt16BE(at);
    mechanisms.push(response.subarray(at + 2, at + 2 + length).toString());
    at += 2 + length;
  }
  return mechanisms;
}

function request(apiKey: number, apiVersion: number, body: Buffer): Buffer {
  const clientId = Buffer.from('customer-service-check');
  const header = Buffer.concat([int16(apiKey), int16(apiVersion), int32(CORRELATION_ID), int16(clientId.length), clientId]);
  return Buffer.concat([int32(header.length + body.length), header, body]);
}

/** Sends one request; resolves the response body, null when the listener closed or answered something else, undefined on timeout. */
function exchange(open: () => Socket, connected: 'connect' | 'secureConnect', payload: Buffer, timeoutMs: number): Promise<Buffer | null | undefined> {
  return new Promise((resolve) => {
    const socket = open();
    const done = settle(socket, timeoutMs, resolve);
    let received = Buffer.alloc(0);
    socket.once(connected, () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 8) return;
      const size = received.readInt32BE(0);
      if (received.readInt32BE(4) !== CORRELATION_ID || size < 4 || size > 1_000_000) return done(null);
      if (received.length >= 4 + size) done(received.subarray(8, 4 + size));
    });
    socket.once('error', () => done(null));
    socket.once('close', () => done(null));
  });
}

function settle<T>(socket: Socket, timeoutMs: number, resolve: (value: T | undefined) => void): (value: T) => void {
  let settled = false;
  const timer = setTimeout(() => finish(undefined), timeoutMs);
  function finish(value: T | undefined) {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.destroy();
    resolve(value);
  }
  return finish;
}

const int16 = (value: number) => {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value);
  return buffer;
};
const int32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};
