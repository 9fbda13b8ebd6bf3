import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { ApiError } from './api-error';

const ENTITY_TAG = /^(W\/)?"(\d{1,10})"$/;

/** A version as an entity tag (the ETag of GET and PUT answers). */
export function entityTag(version: number): string {
  return `"${version}"`;
}

/**
 * The versions an `If-Match` header accepts, or undefined for none or `*`. Entity tags are the
 * customer's version in quotes; If-Match compares strongly (RFC 9110), so a weak tag never
 * matches (-1); a malformed header is a 400.
 */
export function expectedVersionsOf(header: string | undefined): number[] | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  if (header.length > 2048) throw badIfMatch();
  return header.split(',').map((tag) => {
    const match = ENTITY_TAG.exec(tag.trim());
    if (!match) throw badIfMatch();
    return match[1] ? -1 : Number(match[2]);
  });
}

function badIfMatch(): ApiError {
  return ApiError.badRequest('Request is invalid.', [{ field: 'If-Match', message: 'must be an entity tag such as "3"' }]);
}

/** The `If-Match` versions of the request (see {@link expectedVersionsOf}). */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext) =>
  expectedVersionsOf(context.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);
