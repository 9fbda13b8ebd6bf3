import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { principalOf } from '../auth/auth.decorators';
import { ApiError } from '../http/api-error';
import { ExactNumber } from '../http/json-body';
import { fingerprint, IdempotencyRequest } from './idempotency.store';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The request's `Idempotency-Key`, or undefined: scoped to the caller's counterparty, and bound
 * to the method, the path (in lower case: guids are compared in lower case), the caller's branch
 * (the same body from two branches is two requests: a create lands in each one's own branch)
 * and the body (as canonical JSON).
 */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): IdempotencyRequest | undefined => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw ApiError.badRequest('Request is invalid.', [{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }]);
  }
  const { counterpartyGuid, branchGuid } = principalOf(request);
  const path = request.url.split('?')[0].toLowerCase();
  return { counterpartyGuid, key, fingerprint: fingerprint(request.method, `${path} ${branchGuid ?? ''}`, canonicalJson(request.body ?? null)) };
});

/** JSON with sorted keys and exact numbers: equal bodies give equal fingerprints. */
export function canonicalJson(value: unknown): string {
  if (value instanceof ExactNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
