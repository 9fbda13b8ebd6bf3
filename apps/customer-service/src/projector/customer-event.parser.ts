import { isLosslessNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { guid, Problem } from '../fields/field-rules';
import { Money } from '../fields/money';
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

export const KNOWN_EVENT_TYPES = ['customer.created.v1', 'customer.updated.v1', 'customer.account_opened.v1'];

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A problem with one field; the message names the field, never its value (it may be PII). */
class Malformed extends Error {}

type Json = Record<string, unknown>;

/**
 * Reads a message value (JSON, `libs/contracts` CustomerEventV1) losslessly: `balance_allowed`
 * keeps its exact digits. Anything that is not a well-formed event gives a reason instead of
 * throwing, so the projector can record it and move on.
 */
export function parseCustomerEvent(value: Buffer | string | null, ceId?: string): ParseResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message value' };
  let payload: unknown;
  try {
    payload = parseLossless(value.toString());
  } catch {
    return { ok: false, reason: 'value is not valid JSON' };
  }
  try {
    return { ok: true, event: toEvent(payload, ceId) };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, reason: error.message };
    throw error;
  }
}

function toEvent(payload: unknown, ceId: string | undefined): ProjectedEvent {
  const event = object(payload, 'value');
  const eventId = uuid(event, 'event_id');
  if (ceId !== undefined && ceId !== eventId) throw new Malformed('ce_id header differs from event_id');
  const type = text(event, 'type', 128);
  if (!KNOWN_EVENT_TYPES.includes(type)) throw new Malformed('type: unknown event type');
  const occurredAt = timestamp(event, 'occurred_at');
  const version = integer(event, 'version', 1);
  const snapshot = object(event.customer, 'customer');
  const accounts = list(snapshot.accounts, 'customer.accounts').map((item, i) => toAccount(item, `customer.accounts[${i}]`));
  const customer = toCustomer(snapshot, accounts.length);
  if (customer.customer_guid !== uuid(event, 'customer_guid')) throw new Malformed('customer.customer_guid differs from customer_guid');
  if (customer.counterparty_guid !== uuid(event, 'counterparty_guid')) throw new Malformed('customer.counterparty_guid differs from counterparty_guid');
  if (customer.version !== version) throw new Malformed('customer.version differs from version');
  for (const account of accounts) {
    if (account.customer_guid !== customer.customer_guid || account.counterparty_guid !== customer.counterparty_guid) {
      throw new Malformed('customer.accounts: an account belongs to another customer');
    }
  }
  return { eventId, type, occurredAt, customer, accounts, actor: toActor(event.actor), changes: toChanges(event, type), account: toOpened(event, type) };
}

function toActor(value: unknown): ProjectedEvent['actor'] {
  const actor = object(value, 'actor');
  const at = (field: string) => `actor.${field}`;
  return { sub: text(actor, 'sub', 255, at), branchGuid: nullable(actor, 'branch_guid', at, () => uuid(actor, 'branch_guid', at)) };
}

/** An update's changes: field name → `{from, to}`, kept as exact JSON text for the history. */
function toChanges(event: Json, type: string): string | null {
  if (type !== 'customer.updated.v1') return null;
  const changes = object(event.changes, 'changes');
  for (const [field, change] of Object.entries(changes)) {
    if (!/^[a-z_]{1,64}$/.test(field)) throw new Malformed('changes: a field name is not a snake_case name');
    const entry = object(change, 'changes.<field>');
    if (!('from' in entry) || !('to' in entry) || Object.keys(entry).length !== 2) throw new Malformed('changes.<field>: must be {from, to}');
  }
  return stringifyLossless(changes) ?? '{}';
}

function toOpened(event: Json, type: string): ProjectedEvent['account'] {
  if (type !== 'customer.account_opened.v1') return null;
  const account = object(event.account, 'account');
  const at = (field: string) => `account.${field}`;
  return {
    guid: uuid(account, 'wallet_account_guid', at),
    assetCode: text(account, 'asset_code', 12, at),
    assetIssuer: text(account, 'asset_issuer', 56, at),
  };
}

function toCustomer(c: Json, accountsTotal: number): CustomerRow {
  const at = (field: string) => `customer.${field}`;
  return {
    customer_guid: uuid(c, 'customer_guid', at),
    counterparty_guid: uuid(c, 'counterparty_guid', at),
    login: nullable(c, 'login', at, () => text(c, 'login', 255, at)),
    name: nullable(c, 'name', at, () => text(c, 'name', 255, at)),
    surname: nullable(c, 'surname', at, () => text(c, 'surname', 255, at)),
    paternal_name: nullable(c, 'paternal_name', at, () => text(c, 'paternal_name', 255, at)),
    phone_number: nullable(c, 'phone_number', at, () => text(c, 'phone_number', 20, at)),
    kyc_level: integer(c, 'kyc_level', 0, at),
    is_disabled: boolean(c, 'is_disabled', at),
    balance_allowed: money(c, 'balance_allowed', at),
    balance_asset_code: nullable(c, 'balance_asset_code', at, () => text(c, 'balance_asset_code', 12, at)),
    balance_asset_issuer: nullable(c, 'balance_asset_issuer', at, () => text(c, 'balance_asset_issuer', 56, at)),
    branch_guid: nullable(c, 'branch_guid', at, () => uuid(c, 'branch_guid', at)),
    segment: nullable(c, 'segment', at, () => text(c, 'segment', 2, at)),
    status: nullable(c, 'status', at, () => text(c, 'status', 64, at)),
    accounts_total: accountsTotal,
    version: integer(c, 'version', 1, at),
    created_at: timestamp(c, 'created_at', at),
    updated_at: timestamp(c, 'updated_at', at),
  };
}

function toAccount(item: unknown, path: string): AccountRow {
  const a = object(item, path);
  const at = (field: string) => `${path}.${field}`;
  return {
    wallet_account_guid: uuid(a, 'wallet_account_guid', at),
    customer_guid: uuid(a, 'customer_guid', at),
    counterparty_guid: uuid(a, 'counterparty_guid', at),
    iban: nullable(a, 'iban', at, () => text(a, 'iban', 34, at)),
    asset_code: text(a, 'asset_code', 12, at),
    asset_issuer: text(a, 'asset_issuer', 56, at),
    activated: boolean(a, 'activated', at),
    registered: boolean(a, 'registered', at),
    blocked: boolean(a, 'blocked', at),
    type: text(a, 'type', 16, at),
    created_at: timestamp(a, 'created_at', at),
    updated_at: timestamp(a, 'updated_at', at),
  };
}

const self = (field: string) => field;

function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Malformed(`${path}: must be an object`);
  return value as Json;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new Malformed(`${path}: must be an array`);
  return value;
}

function nullable<T>(o: Json, field: string, at: (f: string) => string, read: () => T): T | null {
  if (!(field in o)) throw new Malformed(`${at(field)}: is missing`);
  return o[field] === null ? null : read();
}

function text(o: Json, field: string, max: number, at = self): string {
  const value = o[field];
  if (typeof value !== 'string' || value.length === 0) throw new Malformed(`${at(field)}: must be a non-empty string`);
  if ([...value].length > max) throw new Malformed(`${at(field)}: must be at most ${max} characters`);
  return value;
}

function uuid(o: Json, field: string, at = self): string {
  const value = o[field];
  const checked = typeof value === 'string' ? guid(value) : new Problem('must be a UUID');
  if (checked instanceof Problem) throw new Malformed(`${at(field)}: ${checked.message}`);
  return checked;
}

function boolean(o: Json, field: string, at = self): boolean {
  const value = o[field];
  if (typeof value !== 'boolean') throw new Malformed(`${at(field)}: must be a boolean`);
  return value;
}

function integer(o: Json, field: string, min: number, at = self): number {
  const value = o[field];
  const number = isLosslessNumber(value) && /^\d{1,10}$/.test(value.value) ? Number(value.value) : NaN;
  if (!(number >= min && number <= 2_147_483_647)) throw new Malformed(`${at(field)}: must be an integer from ${min}`);
  return number;
}

function money(o: Json, field: string, at = self): string {
  const value = o[field];
  const parsed = isLosslessNumber(value) ? Money.parse(value.value) : 'must be a number';
  if (typeof parsed === 'string') throw new Malformed(`${at(field)}: ${parsed}`);
  return parsed.toString();
}

function timestamp(o: Json, field: string, at = self): string {
  const value = o[field];
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new Malformed(`${at(field)}: must be an RFC 3339 timestamp`);
  }
  return value;
}
