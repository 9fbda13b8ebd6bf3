import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

class FieldProblemDto {
  @ApiProperty({ example: 'kyc_level' }) field!: string;
  @ApiProperty({ example: 'must not be less than 0' }) message!: string;
}

/** The documented error body, for OpenAPI. */
export class ErrorBodyDto {
  @ApiProperty({ description: 'Human-readable message; safe to show.', example: 'Request is invalid.' })
  error!: string;
  @ApiProperty({ description: 'Stable machine-readable code.', example: 'VALIDATION_FAILED' })
  code!: string;
  @ApiProperty({ type: [FieldProblemDto] })
  details!: FieldProblemDto[];
  @ApiProperty({ description: 'Also in the X-Request-Id response header and in the logs.', example: '0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21' })
  request_id!: string;
}

const WHEN: Record<number, [string, string]> = {
  400: ['Invalid input: path, query, headers or body (each problem named in details).', 'VALIDATION_FAILED'],
  401: ['Missing, malformed, expired or otherwise invalid bearer token.', 'UNAUTHENTICATED'],
  403: ['The token is for another counterparty or branch, or lacks the scope.', 'COUNTERPARTY_FORBIDDEN'],
  404: ['Unknown customer (or one of another counterparty: indistinguishable).', 'CUSTOMER_NOT_FOUND'],
  409: ['Login or IBAN already used in this counterparty, or the same Idempotency-Key is in flight.', 'LOGIN_TAKEN'],
  412: ['If-Match names a version that is no longer current.', 'VERSION_MISMATCH'],
  413: ['Body larger than 64 kB.', 'PAYLOAD_TOO_LARGE'],
  415: ['Body not sent as application/json.', 'UNSUPPORTED_MEDIA_TYPE'],
  422: ['Idempotency-Key already used for a different request.', 'IDEMPOTENCY_KEY_REUSED'],
  429: ['Too many requests from this employee; retry after Retry-After seconds.', 'TOO_MANY_REQUESTS'],
  503: ['A dependency (PostgreSQL) is down; retry after Retry-After seconds.', 'UNAVAILABLE'],
};

/** Documents the error responses of a route, each with the error body and an example code. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: WHEN[status][0],
        type: ErrorBodyDto,
        example: { error: WHEN[status][0], code: WHEN[status][1], details: [], request_id: '0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21' },
      }),
    ),
  );
}
