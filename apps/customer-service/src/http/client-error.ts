import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { ErrorBody, FRAMEWORK_ERRORS } from './api-error';

/** What Node's HTTP parser could not take, by its error code, and what the caller is told. */
const PARSE_FAILURES: Record<string, [status: number, message?: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408],
  HPE_HEADER_OVERFLOW: [431],
  // Bytes above 0x7F in the request line: some clients (curl given raw text, hand-written
  // socket code) send UTF-8 in the query string without percent-encoding it.
  HPE_INVALID_URL: [400, 'The request target is not a valid URL: percent-encode characters outside ASCII (RFC 3986).'],
};
const MALFORMED = 'The request is not valid HTTP/1.1.';

/**
 * Fastify's clientErrorHandler: answers a request Node's HTTP parser refused (before any route,
 * guard or filter runs) with the documented error body — `code`, `error`, `details`,
 * `request_id` — instead of Fastify's own `{"statusCode":400,"message":"Client Error"}`, and
 * closes the connection (the parser cannot find where the next request would start). Echoes
 * nothing of the request.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = PARSE_FAILURES[error.code ?? ''] ?? [400, MALFORMED];
  const [code, defaultMessage] = FRAMEWORK_ERRORS[status];
  const body: ErrorBody = { error: message ?? defaultMessage, code, details: [], request_id: randomUUID() };
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nX-Request-Id: ${body.request_id}\r\n\r\n${text}`,
    );
  }
  socket.end();
}
