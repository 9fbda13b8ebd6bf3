/** The verified caller: an employee of one counterparty, possibly limited to one branch. */
export interface Principal {
  sub: string;
  counterpartyGuid: string;
  /** Set for branch-scoped employees: they see and change only this branch's customers. */
  branchGuid: string | null;
  scopes: ReadonlySet<string>;
}

export const SCOPE_READ = 'customers:read';
export const SCOPE_WRITE = 'customers:write';
