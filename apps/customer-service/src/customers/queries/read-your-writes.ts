import { HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ApiError } from '../../http/api-error';
import { ErrorBodyDto } from '../../http/error-body.dto';
import { CustomerNotFoundError } from '../customer-errors';

/** How often a `min_version` read looks again: cheap (a primary-key lookup), and well under the lag target. */
export const POLL_INTERVAL_MS = 50;

/**
 * Read-your-writes for a read of one customer: a client that got `ETag: "n"` from a write asks
 * with `min_version=n`; `read` runs again until what it finds has reached n or `waitMs` is over,
 * then it is 503 READ_MODEL_BEHIND with Retry-After. Without `minVersion` it reads once, and a
 * customer the caller cannot see is 404. A customer not yet projected at all counts as behind:
 * the client asserts the version exists.
 */
export async function readAtVersion<T>(
  read: () => Promise<T | undefined>,
  versionOf: (found: T) => number,
  minVersion: number | undefined,
  waitMs: number,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const found = await read();
    if (minVersion === undefined) {
      if (found === undefined) throw new CustomerNotFoundError();
      return found;
    }
    if (found !== undefined && versionOf(found) >= minVersion) return found;
    if (Date.now() + POLL_INTERVAL_MS > deadline) throw readModelBehind();
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

const BEHIND_MESSAGE = 'The read model has not reached the requested version yet; retry after Retry-After seconds.';

function readModelBehind(): ApiError {
  return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'READ_MODEL_BEHIND', BEHIND_MESSAGE, [{ field: 'min_version', message: 'not reached yet' }], {
    'retry-after': '1',
  });
}

/** OpenAPI: the 503 of a route that takes `min_version`. */
export const ApiReadModelBehind = () =>
  ApiResponse({
    status: HttpStatus.SERVICE_UNAVAILABLE,
    description: 'READ_MODEL_BEHIND: min_version not reached within the wait (Retry-After: 1); or UNAVAILABLE: PostgreSQL is down.',
    type: ErrorBodyDto,
    example: {
      error: BEHIND_MESSAGE,
      code: 'READ_MODEL_BEHIND',
      details: [{ field: 'min_version', message: 'not reached yet' }],
      request_id: '0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21',
    },
  });
