import { FastifyRequest } from 'fastify';
import { principalOf } from '../../auth/auth.decorators';
import { ReadScope } from '../read-model/read-model.sql';

/**
 * The scope of a read: the verified token's counterparty (the guard has already refused a path
 * naming another one) and, for a branch-scoped employee, their branch.
 */
export function readScope(request: FastifyRequest): ReadScope {
  const { counterpartyGuid, branchGuid } = principalOf(request);
  return { counterpartyGuid, branchGuid };
}
