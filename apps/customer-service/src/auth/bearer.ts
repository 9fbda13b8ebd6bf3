import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../http/api-error';

/** RFC 9110 §11: the scheme is case-insensitive (`bearer`, `BEARER`) and followed by one or more spaces. */
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerTokenOf(header: string | undefined): string | null {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  return match ? match[1] : null;
}

/** The answer to a missing or invalid token (RFC 6750: with WWW-Authenticate). */
export function unauthenticated(): ApiError {
  return new ApiError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', 'A valid bearer token is required.', [], { 'www-authenticate': 'Bearer' });
}
