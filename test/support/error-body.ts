import { ErrorBodyDto } from '../../apps/customer-service/src/http/error-body.dto';
import { Reply } from './app';

/** Asserts the documented error body (DESIGN §2) and that it leaks nothing internal. */
export function expectErrorBody(reply: Reply, status: number, code?: string): void {
  expect(reply.status).toBe(status);
  const body = reply.json as ErrorBodyDto;
  expect(Object.keys(body).sort()).toEqual(['code', 'details', 'error', 'request_id']);
  expect(typeof body.error).toBe('string');
  expect(body.code).toMatch(/^[A-Z_]+$/);
  if (code) expect(body.code).toBe(code);
  expect(Array.isArray(body.details)).toBe(true);
  for (const detail of body.details) expect(Object.keys(detail).sort()).toEqual(['field', 'message']);
  expect(body.request_id).toBe(reply.headers.get('x-request-id'));
  expect(reply.text).not.toMatch(/SELECT|INSERT|UPDATE |node_modules|\bat .*\.(js|ts):\d+|QueryFailedError|duplicate key/);
}
