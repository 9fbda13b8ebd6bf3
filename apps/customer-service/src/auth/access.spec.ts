import { ApiError } from '../http/api-error';
import { assertCounterparty, branchForCreate, branchForUpdate, canSee, scopeOf } from './access';

const COUNTERPARTY = '3f0c9a52-1c53-4a52-9d1e-2b6d0c7a9e11';
const [MINE, OTHER] = ['0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21', '1b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d22'];
const whole = scopeOf({ sub: 'e', counterpartyGuid: COUNTERPARTY, branchGuid: null, scopes: new Set() });
const branch = scopeOf({ sub: 'e', counterpartyGuid: COUNTERPARTY, branchGuid: MINE, scopes: new Set() });

const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return [(error as ApiError).getStatus(), (error as ApiError).code];
  }
  return 'allowed';
};

describe('access', () => {
  it("refuses a path naming another counterparty than the token's, in any letter case of the same", () => {
    expect(refusal(() => assertCounterparty(whole, COUNTERPARTY.toUpperCase()))).toBe('allowed');
    expect(refusal(() => assertCounterparty(whole, OTHER))).toEqual([403, 'COUNTERPARTY_FORBIDDEN']);
  });

  it.each([
    [whole, { counterparty_guid: COUNTERPARTY, branch_guid: null }, true],
    [whole, { counterparty_guid: COUNTERPARTY, branch_guid: OTHER }, true],
    [whole, { counterparty_guid: OTHER, branch_guid: null }, false],
    [branch, { counterparty_guid: COUNTERPARTY, branch_guid: MINE }, true],
    [branch, { counterparty_guid: COUNTERPARTY, branch_guid: OTHER }, false],
    [branch, { counterparty_guid: COUNTERPARTY, branch_guid: null }, false],
    [branch, { counterparty_guid: OTHER, branch_guid: MINE }, false],
  ])('%#: canSee is %s', (scope, customer, visible) => {
    expect(canSee(scope, customer)).toBe(visible);
  });

  it('places a branch-scoped employee\'s new customer in their branch, and refuses another', () => {
    expect(branchForCreate(whole, undefined)).toBeNull();
    expect(branchForCreate(whole, OTHER)).toBe(OTHER);
    expect(branchForCreate(branch, undefined)).toBe(MINE);
    expect(branchForCreate(branch, null)).toBe(MINE);
    expect(branchForCreate(branch, MINE)).toBe(MINE);
    expect(refusal(() => branchForCreate(branch, OTHER))).toEqual([403, 'BRANCH_FORBIDDEN']);
  });

  it('lets a branch-scoped employee neither move a customer out of their branch nor clear it', () => {
    expect(branchForUpdate(whole, null)).toBeNull();
    expect(branchForUpdate(branch, undefined)).toBeUndefined();
    expect(branchForUpdate(branch, MINE)).toBe(MINE);
    expect(refusal(() => branchForUpdate(branch, OTHER))).toEqual([403, 'BRANCH_FORBIDDEN']);
    expect(refusal(() => branchForUpdate(branch, null))).toEqual([403, 'BRANCH_FORBIDDEN']);
  });
});
