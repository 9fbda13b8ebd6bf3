import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The request id: the caller's `X-Request-Id` when it is a short plain token (so it cannot
 * smuggle personal data or log-forging characters), otherwise a new UUID. Computed once per
 * request and shared by Fastify, the logger and the error bodies.
 */
export function requestIdFor(req: IncomingMessage): string {
  const cached = (req as { id?: unknown }).id;
  if (typeof cached === 'string') return cached;
  const header = req.headers['x-request-id'];
  const id = typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
  (req as { id?: string }).id = id;
  return id;
}
