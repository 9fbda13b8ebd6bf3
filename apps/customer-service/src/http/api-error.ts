import { HttpException, HttpStatus } from '@nestjs/common';

/** One problem with one input field, as shown in `details` of an error body. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The documented error body (DESIGN §2). */
export interface ErrorBody {
  error: string;
  code: string;
  details: FieldProblem[];
  request_id: string;
}

/**
 * An error a client can act on: a status, a stable machine-readable code and a message safe to
 * show (never SQL, stack traces or personal data).
 */
export class ApiError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message, status);
  }

  static badRequest(message: string, details: FieldProblem[] = [], code = 'VALIDATION_FAILED'): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, code, message, details);
  }
}

/**
 * Stable codes and messages for statuses raised outside our own code (framework, parser,
 * guards). The messages are fixed: the framework's own echo client input (the path of a 404,
 * the media type of a 415).
 */
export const FRAMEWORK_ERRORS: Record<number, [code: string, message: string]> = {
  400: ['BAD_REQUEST', 'Request is invalid.'],
  401: ['UNAUTHENTICATED', 'A valid bearer token is required.'],
  403: ['FORBIDDEN', 'Not allowed.'],
  404: ['NOT_FOUND', 'No such route.'],
  405: ['METHOD_NOT_ALLOWED', 'Method not allowed on this route.'],
  406: ['NOT_ACCEPTABLE', 'Only application/json responses are available.'],
  408: ['REQUEST_TIMEOUT', 'The request was not received in time.'],
  409: ['CONFLICT', 'Conflict.'],
  412: ['PRECONDITION_FAILED', 'Precondition failed.'],
  413: ['PAYLOAD_TOO_LARGE', 'Request body is too large.'],
  414: ['URI_TOO_LONG', 'Request URI is too long.'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json.'],
  422: ['UNPROCESSABLE', 'Request cannot be processed.'],
  429: ['TOO_MANY_REQUESTS', 'Too many requests; retry after Retry-After seconds.'],
  431: ['HEADERS_TOO_LARGE', 'Request headers are too large.'],
  500: ['INTERNAL', 'Internal error.'],
  503: ['UNAVAILABLE', 'A dependency is unavailable; retry later.'],
};
