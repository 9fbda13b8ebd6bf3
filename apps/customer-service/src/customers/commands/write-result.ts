import { FastifyReply } from 'fastify';
import { entityTag } from '../../http/request-headers';
import { WriteResult } from '../../idempotency/idempotency.store';

/** Sends a command's serialised result with its ETag, marking idempotent replays. */
export function sendWriteResult(reply: FastifyReply, result: WriteResult): string {
  void reply.header('etag', entityTag(result.version)).type('application/json; charset=utf-8');
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  return result.body;
}
