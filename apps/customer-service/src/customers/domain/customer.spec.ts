import { Customer, CustomerProfile } from './customer';
import { AccountLimitError, CustomerRuleError } from '../customer-errors';
import { Money } from '../../fields/money';

const ISSUER = 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7';
const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-02T00:00:00Z');

const profile: CustomerProfile = {
  name: 'Ada', surname: 'Lovelace', paternal_name: null, phone_number: null, kyc_level: 0, is_disabled: false,
  balance_allowed: Money.ZERO, balance_asset_code: null, balance_asset_issuer: null, branch_guid: null, segment: null,
  status: null,
};

function newCustomer(overrides: Partial<CustomerProfile> = {}): Customer {
  return Customer.create(
    {
      counterparty_guid: '11111111-1111-4111-8111-111111111111',
      login: 'ada',
      profile: { ...profile, ...overrides },
      firstAccount: { iban: null, asset_code: 'EURC', asset_issuer: ISSUER },
    },
    T0,
  );
}

/** A customer as loaded from storage: no pending changes. */
function storedCustomer(overrides: Partial<CustomerProfile> = {}): Customer {
  return Customer.restore({ ...newCustomer(overrides).snapshot });
}

describe('Customer', () => {
  it('starts at version 1 with its first account and records the creation', () => {
    const customer = newCustomer();
    expect(customer.snapshot.version).toBe(1);
    expect(customer.snapshot.accounts).toHaveLength(1);
    expect(customer.snapshot.accounts[0]).toMatchObject({ activated: true, registered: true, blocked: false, asset_code: 'EURC' });
    expect(customer.pendingChanges).toEqual([{ kind: 'created', version: 1, at: T0 }]);
  });

  it('refuses a balance asset code without its issuer on create', () => {
    expect(() => newCustomer({ balance_asset_code: 'EURC' })).toThrow(CustomerRuleError);
  });

  it('raises the version by one and lists only the fields that changed', () => {
    const customer = storedCustomer();
    customer.update({ name: 'Ada', surname: 'Byron', kyc_level: 2 }, T1);
    expect(customer.snapshot.version).toBe(2);
    expect(customer.snapshot.updated_at).toBe(T1);
    expect(customer.pendingChanges).toEqual([
      { kind: 'updated', version: 2, at: T1, changes: { surname: { from: 'Lovelace', to: 'Byron' }, kyc_level: { from: 0, to: 2 } } },
    ]);
  });

  it('records nothing and keeps its version when an update changes nothing', () => {
    const customer = storedCustomer({ balance_allowed: Money.fromDecimal('10.5') });
    customer.update({ name: 'Ada', balance_allowed: Money.fromDecimal('10.5000000') }, T1);
    expect(customer.snapshot.version).toBe(1);
    expect(customer.snapshot.updated_at).toBe(T0);
    expect(customer.pendingChanges).toEqual([]);
  });

  it('clears a field set to null', () => {
    const customer = storedCustomer();
    customer.update({ name: null }, T1);
    expect(customer.snapshot.name).toBeNull();
    expect(customer.pendingChanges[0]).toMatchObject({ changes: { name: { from: 'Ada', to: null } } });
  });

  it('checks the balance asset pair on the resulting state', () => {
    const customer = storedCustomer({ balance_asset_code: 'EURC', balance_asset_issuer: ISSUER });
    expect(() => customer.update({ balance_asset_issuer: null }, T1)).toThrow(CustomerRuleError);
    customer.update({ balance_asset_code: 'USDC' }, T1);
    expect(customer.snapshot.balance_asset_code).toBe('USDC');
    customer.update({ balance_asset_code: null, balance_asset_issuer: null }, T1);
    expect(customer.snapshot.balance_asset_issuer).toBeNull();
  });

  it('leaves the state untouched when an update breaks an invariant', () => {
    const customer = storedCustomer();
    expect(() => customer.update({ kyc_level: 5, balance_asset_code: 'EURC' }, T1)).toThrow(CustomerRuleError);
    expect(customer.snapshot.kyc_level).toBe(0);
    expect(customer.snapshot.version).toBe(1);
  });

  it('opens an account as a new version, defaulting to nothing but what it is given', () => {
    const customer = storedCustomer();
    const account = customer.openAccount({ iban: 'GB82WEST12345698765432', ...customer.primaryAsset }, T1, 100);
    expect(customer.snapshot.version).toBe(2);
    expect(customer.snapshot.accounts.map((a) => a.guid)).toEqual([customer.snapshot.accounts[0].guid, account.guid]);
    expect(account).toMatchObject({ iban: 'GB82WEST12345698765432', asset_code: 'EURC', asset_issuer: ISSUER });
    expect(customer.pendingChanges).toEqual([{ kind: 'account_opened', version: 2, at: T1, account }]);
  });

  it('refuses an account beyond the maximum per customer and changes nothing', () => {
    const customer = storedCustomer();
    customer.openAccount({ iban: null, ...customer.primaryAsset }, T1, 2);
    expect(() => customer.openAccount({ iban: null, ...customer.primaryAsset }, T1, 2)).toThrow(AccountLimitError);
    expect(customer.snapshot.accounts).toHaveLength(2);
    expect(customer.snapshot.version).toBe(2);
    expect(customer.pendingChanges).toHaveLength(1);
  });
});
