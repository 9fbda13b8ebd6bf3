import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../http/api-error';
import { Principal } from './principal';

/**
 * Who may see and change which customer (DESIGN §2a), decided here and nowhere else:
 *  - the counterparty is the verified token's, never the path's, a body's or a filter's: a path
 *    naming another counterparty is 403; another counterparty's customer is invisible (404);
 *  - a branch-scoped employee sees and changes only their branch's customers (customers of
 *    other branches, and those of no branch, are invisible to them); they create customers only
 *    in their branch (one created without a branch goes to theirs) and cannot move a customer
 *    out of it or clear its branch (403).
 * Commands apply it to the row they load, queries to every statement (as a scope).
 */
export interface AccessScope {
  counterpartyGuid: string;
  /** Set for branch-scoped employees. */
  branchGuid: string | null;
}

export function scopeOf(principal: Principal): AccessScope {
  return { counterpartyGuid: principal.counterpartyGuid, branchGuid: principal.branchGuid };
}

/** The path's counterparty must be the token's (guids compared in lower case). */
export function assertCounterparty(scope: AccessScope, pathCounterparty: string): void {
  if (pathCounterparty.toLowerCase() !== scope.counterpartyGuid) {
    throw new ApiError(HttpStatus.FORBIDDEN, 'COUNTERPARTY_FORBIDDEN', 'The token does not grant access to this counterparty.');
  }
}

/** Whether the caller may see (and so change) this customer. */
export function canSee(scope: AccessScope, customer: { counterparty_guid: string; branch_guid: string | null }): boolean {
  return customer.counterparty_guid === scope.counterpartyGuid && (scope.branchGuid === null || customer.branch_guid === scope.branchGuid);
}

/** The branch a new customer gets: the requested one, or for a branch-scoped employee their own (another → 403). */
export function branchForCreate(scope: AccessScope, requested: string | null | undefined): string | null {
  if (scope.branchGuid === null) return requested ?? null;
  return requested == null ? scope.branchGuid : ownBranchOrForbidden(scope.branchGuid, requested);
}

/** The branch an update may set: unchanged when not sent; a branch-scoped employee only their own (else 403). */
export function branchForUpdate(scope: AccessScope, requested: string | null | undefined): string | null | undefined {
  if (scope.branchGuid === null || requested === undefined) return requested;
  return ownBranchOrForbidden(scope.branchGuid, requested);
}

function ownBranchOrForbidden(own: string, requested: string | null): string {
  if (requested === own) return own;
  throw new ApiError(HttpStatus.FORBIDDEN, 'BRANCH_FORBIDDEN', 'The token only grants access to its own branch.', [
    { field: 'branch_guid', message: 'must be your own branch' },
  ]);
}
