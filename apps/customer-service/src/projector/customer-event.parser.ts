import {
  CUSTOMER_ACCOUNT_OPENED_V1,
  CUSTOMER_UPDATED_V1,
  CustomerEventV1,
  CustomerSnapshotV1,
  decodeCustomerEventValue,
  MalformedMessageError,
  WalletAccountSnapshotV1,
} from '@app/contracts';
import { isLosslessNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { Checked, guid, integer, money, Problem, timestamp } from '../fields/field-rules';
import { AccountRow, CustomerRow } from '../read-model/read-model.tables';

/** What the projector needs of a customer event: its identity, the snapshot after it, and what the history keeps. */
export interface ProjectedEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  customer: CustomerRow;
  accounts: AccountRow[];
  /** The employee who made the change (the token's subject) and their branch when scoped. */
  actor: { sub: string; branchGuid: string | null };
  /** An update's `changes` as JSON text, numbers with their exact digits; null for other types. */
  changes: string | null;
  /** The account an `account_opened` event opened; null for other types. */
  account: { guid: string; assetCode: string; assetIssuer: string } | null;
}

export type ParseResult = { ok: true; event: ProjectedEvent } | { ok: false; reason: string };

/** projection_errors.reason is varchar(500): a longer reason would make recording it fail. */
const REASON_MAX = 500;
/** The read model's integer columns (version, kyc_level) are PostgreSQL `integer`. */
const INT4_MAX = 2_147_483_647;
/** customer_history.actor_sub is varchar(255); the contract bounds `sub` only below. */
const ACTOR_SUB_MAX = 255;

/** A problem with one field beyond the schema's; the message names the field, never its value (it may be PII). */
class Malformed extends Error {}

/**
 * Reads a message value (JSON, `libs/contracts` CustomerEventV1) losslessly. The value is checked
 * by the contract's kit ({@link decodeCustomerEventValue}: the JSON Schema of its type, and the
 * snapshot agreeing with the event), then by what a schema cannot say: the `ce_id` header equals
 * `event_id`, money has at most 7 decimals in its exact digits, integers fit the read model's
 * columns, guids are canonical (stored lower case) and times are RFC 3339 that PostgreSQL and
 * JavaScript read alike. Anything that is not a usable event gives a reason instead of
 * throwing, so the projector can record it and move on; reasons name fields (JSON pointers)
 * and rules, never values.
 */
export function parseCustomerEvent(value: Buffer | string | null, ceId?: string): ParseResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message value' };
  let document: unknown;
  try {
    document = parseLossless(value.toString());
  } catch {
    return { ok: false, reason: 'value is not valid JSON' };
  }
  try {
    const { event, exact } = decodeCustomerEventValue(document);
    if (ceId !== undefined && ceId !== event.event_id) throw new Malformed('ce_id header differs from event_id');
    return { ok: true, event: toEvent(event, document as Lossless, exact.balance_allowed) };
  } catch (error) {
    if (error instanceof MalformedMessageError) return { ok: false, reason: bounded(error.problems) };
    if (error instanceof Malformed) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The event as lossless-json parsed it: numbers as their exact text, for what doubles cannot hold. */
interface Lossless {
  version: unknown;
  customer: { kyc_level: unknown; version: unknown };
  changes?: unknown;
}

function toEvent(event: CustomerEventV1, lossless: Lossless, balance: string): ProjectedEvent {
  const accounts = event.customer.accounts.map((account, i) => toAccount(account, `/customer/accounts/${i}`));
  return {
    eventId: id(event.event_id, '/event_id'),
    type: event.type,
    occurredAt: time(event.occurred_at, '/occurred_at'),
    customer: toCustomer(event.customer, lossless.customer, balance, accounts.length),
    accounts,
    actor: {
      sub: check(event.actor.sub, '/actor/sub', (sub) => ([...sub].length <= ACTOR_SUB_MAX ? sub : new Problem(`must be at most ${ACTOR_SUB_MAX} characters`))),
      branchGuid: nullable(event.actor.branch_guid, (branch) => id(branch, '/actor/branch_guid')),
    },
    changes: event.type === CUSTOMER_UPDATED_V1 ? (stringifyLossless(lossless.changes) ?? '{}') : null,
    account: event.type === CUSTOMER_ACCOUNT_OPENED_V1
      ? { guid: id(event.account.wallet_account_guid, '/account/wallet_account_guid'), assetCode: event.account.asset_code, assetIssuer: event.account.asset_issuer }
      : null,
  };
}

function toCustomer(c: CustomerSnapshotV1, lossless: Lossless['customer'], balance: string, accountsTotal: number): CustomerRow {
  const { accounts: _accounts, ...fields } = c;
  return {
    ...fields,
    customer_guid: id(c.customer_guid, '/customer/customer_guid'),
    counterparty_guid: id(c.counterparty_guid, '/customer/counterparty_guid'),
    kyc_level: int4(lossless.kyc_level, '/customer/kyc_level', 0),
    balance_allowed: check(balance, '/customer/balance_allowed', (raw) => {
      const parsed = money(raw);
      return parsed instanceof Problem ? parsed : parsed.toString();
    }),
    branch_guid: nullable(c.branch_guid, (branch) => id(branch, '/customer/branch_guid')),
    accounts_total: accountsTotal,
    version: int4(lossless.version, '/customer/version', 1),
    created_at: time(c.created_at, '/customer/created_at'),
    updated_at: time(c.updated_at, '/customer/updated_at'),
  };
}

function toAccount(a: WalletAccountSnapshotV1, path: string): AccountRow {
  return {
    ...a,
    wallet_account_guid: id(a.wallet_account_guid, `${path}/wallet_account_guid`),
    customer_guid: id(a.customer_guid, `${path}/customer_guid`),
    counterparty_guid: id(a.counterparty_guid, `${path}/counterparty_guid`),
    created_at: time(a.created_at, `${path}/created_at`),
    updated_at: time(a.updated_at, `${path}/updated_at`),
  };
}

function check<T>(raw: string, path: string, rule: (raw: string) => Checked<T>): T {
  const checked = rule(raw);
  if (checked instanceof Problem) throw new Malformed(`${path} ${checked.message}`);
  return checked;
}

function nullable<T>(value: string | null, read: (value: string) => T): T | null {
  return value === null ? null : read(value);
}

/** A guid in its canonical 36-character form, lower case (the schema's `uuid` format also takes `urn:uuid:` and upper case). */
function id(value: string, path: string): string {
  return check(value, path, guid);
}

/** An RFC 3339 date-time with an `hh:mm` offset and no leap second (the schema's format takes `+01`, `+0100` and `:60`). */
function time(value: string, path: string): string {
  return check(value, path, (raw) => {
    const instant = timestamp(raw);
    return instant instanceof Problem ? instant : raw;
  });
}

/** An integer in plain digits (not `1.0` or `1e0`) that fits an `integer` column. */
function int4(value: unknown, path: string, min: number): number {
  return check(isLosslessNumber(value) ? value.value : '', path, integer(min, INT4_MAX));
}

/** The kit's problems, cut to fit the reason column (they hold field paths and rules, never values). */
function bounded(problems: readonly string[]): string {
  const reason = problems.join('; ');
  return reason.length <= REASON_MAX ? reason : `${reason.slice(0, REASON_MAX - 3)}...`;
}
