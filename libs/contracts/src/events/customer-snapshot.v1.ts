/** A wallet account as carried in event snapshots. */
export interface WalletAccountSnapshotV1 {
  wallet_account_guid: string;
  customer_guid: string;
  counterparty_guid: string;
  /** ISO 13616, electronic format (no spaces, upper case), or null. */
  iban: string | null;
  /** Stellar asset code, 1–12 alphanumerics. */
  asset_code: string;
  /** Stellar account id (StrKey `G…`) of the issuer. */
  asset_issuer: string;
  activated: boolean;
  registered: boolean;
  blocked: boolean;
  type: 'customer';
  /** RFC 3339, UTC. */
  created_at: string;
  updated_at: string;
}

/** The whole customer after a change, accounts included. */
export interface CustomerSnapshotV1 {
  customer_guid: string;
  counterparty_guid: string;
  login: string | null;
  name: string | null;
  surname: string | null;
  paternal_name: string | null;
  /** E.164, e.g. `+12025550123`. */
  phone_number: string | null;
  kyc_level: number;
  is_disabled: boolean;
  /**
   * JSON number with at most 7 decimal places, 0 … 900000000. Parse it losslessly: a double
   * cannot hold every such value above ~5·10⁸.
   */
  balance_allowed: number;
  balance_asset_code: string | null;
  balance_asset_issuer: string | null;
  branch_guid: string | null;
  /** `PL` (Public Liability) or `PI` (Professional Indemnity). */
  segment: 'PL' | 'PI' | null;
  status: string | null;
  /** Starts at 1, +1 per event. */
  version: number;
  created_at: string;
  updated_at: string;
  accounts: WalletAccountSnapshotV1[];
}

/** Who caused the change. */
export interface ActorV1 {
  /** The employee (the token's `sub`), or `anonymous` where no authentication is configured. */
  sub: string;
  /** The employee's branch when the token is branch-scoped. */
  branch_guid: string | null;
}
