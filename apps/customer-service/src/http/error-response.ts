import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ApiError, CODE_BY_STATUS, ErrorBody } from './api-error';

const logger = new Logger('ErrorResponse');

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * Maps anything thrown while handling a request to the documented error body. Unknown errors
 * become a 500 that carries only the request id; their details go to the log, not the client.
 */
export function toErrorResponse(error: unknown, requestId: string): ErrorResponse {
  if (error instanceof ApiError) {
    return respond(error.getStatus(), error.code, error.message, requestId, error.details, error.headers);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return respond(status, CODE_BY_STATUS[status] ?? 'ERROR', httpMessage(error), requestId);
  }
  logger.error({ request_id: requestId, error: describeSafely(error) }, 'unhandled error');
  return respond(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL', 'Internal error.', requestId);
}

function httpMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return typeof message === 'string' ? message : error.message;
}

function respond(
  status: number,
  code: string,
  message: string,
  requestId: string,
  details: ErrorBody['details'] = [],
  headers: Record<string, string> = {},
): ErrorResponse {
  return { status, headers, body: { error: message, code, details, request_id: requestId } };
}

/**
 * What may be logged of an unexpected error: its type, driver code, constraint and stack frames.
 * Not its message or detail: PostgreSQL puts input values there (a unique violation's detail
 * holds the duplicated login or IBAN), and those are personal data.
 */
export function describeSafely(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const { code, constraint, table, routine } = error as Error & Record<string, unknown>;
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 8);
  return { type: error.constructor.name, code, constraint, table, routine, frames };
}
