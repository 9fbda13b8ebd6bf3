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

/** Stable codes for statuses raised outside our own code (framework, parser, guards). */
export const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};
