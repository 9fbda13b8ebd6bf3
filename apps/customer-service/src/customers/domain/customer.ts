import { randomUUID } from 'node:crypto';
import { AccountLimitError, CustomerRuleError } from '../customer-errors';
import { Money } from '../../fields/money';

export type Segment = 'PL' | 'PI';

/** The profile fields an update may change (the seed's update fields). */
export interface CustomerProfile {
  name: string | null;
  surname: string | null;
  paternal_name: string | null;
  phone_number: string | null;
  kyc_level: number;
  is_disabled: boolean;
  balance_allowed: Money;
  balance_asset_code: string | null;
  balance_asset_issuer: string | null;
  branch_guid: string | null;
  segment: Segment | null;
  status: string | null;
}

export const PROFILE_FIELDS: readonly (keyof CustomerProfile)[] = [
  'name', 'surname', 'paternal_name', 'phone_number', 'kyc_level', 'is_disabled', 'balance_allowed',
  'balance_asset_code', 'balance_asset_issuer', 'branch_guid', 'segment', 'status',
];

export interface WalletAccount {
  guid: string;
  iban: string | null;
  asset_code: string;
  asset_issuer: string;
  activated: boolean;
  registered: boolean;
  blocked: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface CustomerState extends CustomerProfile {
  guid: string;
  counterparty_guid: string;
  login: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  accounts: WalletAccount[];
}

export type FieldChanges = Partial<Record<keyof CustomerProfile, { from: unknown; to: unknown }>>;

/** What happened to a customer, in domain terms; the outbox turns these into wire events. */
export type CustomerChange =
  | { kind: 'created'; version: number; at: Date }
  | { kind: 'updated'; version: number; at: Date; changes: FieldChanges }
  | { kind: 'account_opened'; version: number; at: Date; account: WalletAccount };

export interface NewAccount {
  iban: string | null;
  asset_code: string;
  asset_issuer: string;
}

/**
 * The customer aggregate: owns its invariants and records the changes it went through. Each
 * change raises the version by one; an update that changes nothing raises nothing.
 */
export class Customer {
  private readonly changes: CustomerChange[] = [];

  private constructor(private state: CustomerState) {}

  static create(
    input: { counterparty_guid: string; login: string | null; profile: CustomerProfile; firstAccount: NewAccount },
    now: Date,
  ): Customer {
    assertBalanceAssetPair(input.profile);
    const customer = new Customer({
      ...input.profile,
      guid: randomUUID(),
      counterparty_guid: input.counterparty_guid,
      login: input.login,
      version: 1,
      created_at: now,
      updated_at: now,
      accounts: [newAccount(input.firstAccount, now)],
    });
    customer.changes.push({ kind: 'created', version: 1, at: now });
    return customer;
  }

  static restore(state: CustomerState): Customer {
    return new Customer(state);
  }

  get snapshot(): Readonly<CustomerState> {
    return this.state;
  }

  get pendingChanges(): readonly CustomerChange[] {
    return this.changes;
  }

  /** Applies the given fields (absent ones stay as they are). */
  update(patch: Partial<CustomerProfile>, now: Date): void {
    const changes: FieldChanges = {};
    for (const field of PROFILE_FIELDS) {
      if (!(field in patch)) continue;
      const from = this.state[field];
      const to = patch[field] as CustomerProfile[typeof field];
      if (!sameValue(from, to)) changes[field] = { from, to };
    }
    if (Object.keys(changes).length === 0) return;
    const next = { ...this.state, ...patch };
    assertBalanceAssetPair(next);
    this.state = { ...next, version: this.state.version + 1, updated_at: now };
    this.changes.push({ kind: 'updated', version: this.state.version, at: now, changes });
  }

  /**
   * Adds a wallet account; refused once the customer has `maxAccounts` (every event carries
   * the whole customer, so the limit bounds an event's size). The caller holds the customer's
   * row lock, so two concurrent openings cannot both pass the check.
   */
  openAccount(input: NewAccount, now: Date, maxAccounts: number): WalletAccount {
    if (this.state.accounts.length >= maxAccounts) throw new AccountLimitError(maxAccounts);
    const account = newAccount(input, now);
    this.state = {
      ...this.state,
      accounts: [...this.state.accounts, account],
      version: this.state.version + 1,
      updated_at: now,
    };
    this.changes.push({ kind: 'account_opened', version: this.state.version, at: now, account });
    return account;
  }

  /** The asset of the first account: the default for further accounts. */
  get primaryAsset(): { asset_code: string; asset_issuer: string } {
    const [first] = this.state.accounts;
    return { asset_code: first.asset_code, asset_issuer: first.asset_issuer };
  }
}

function newAccount(input: NewAccount, now: Date): WalletAccount {
  return { guid: randomUUID(), ...input, activated: true, registered: true, blocked: false, created_at: now, updated_at: now };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Money && b instanceof Money) return a.equals(b);
  return a === b;
}

/** The balance asset is a (code, issuer) pair: both set or both empty, on the resulting state. */
function assertBalanceAssetPair(profile: Pick<CustomerProfile, 'balance_asset_code' | 'balance_asset_issuer'>): void {
  if ((profile.balance_asset_code === null) !== (profile.balance_asset_issuer === null)) {
    const missing = profile.balance_asset_code === null ? 'balance_asset_code' : 'balance_asset_issuer';
    throw new CustomerRuleError(missing, 'balance_asset_code and balance_asset_issuer must be given together or both be null');
  }
}
