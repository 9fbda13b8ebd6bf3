import { randomUUID } from 'node:crypto';
import { eventJson, testCustomer } from '@test/support/events';
import { parseCustomerEvent } from './customer-event.parser';

const counterparty = randomUUID();

function reasonFor(value: string | null, ceId?: string): string {
  const result = parseCustomerEvent(value, ceId);
  if (result.ok) throw new Error('expected a malformed message');
  return result.reason;
}

/** An event's JSON, as loosely typed as the cases below need: each breaks one field on purpose. */
type LooseEvent = Record<string, unknown> & { customer: Record<string, unknown> };

function mutated(change: (payload: LooseEvent) => void): string {
  const payload = JSON.parse(eventJson(testCustomer(counterparty, { balance_allowed: '1' }))) as LooseEvent;
  change(payload);
  return JSON.stringify(payload);
}

describe('parseCustomerEvent', () => {
  it('reads a created event into read-model rows, money exact to 7 decimals', () => {
    const customer = testCustomer(counterparty, { login: 'Ada', balance_allowed: '899999999.9999999', kyc_level: 2 });
    const eventId = randomUUID();
    const result = parseCustomerEvent(Buffer.from(eventJson(customer, eventId)), eventId);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).toMatchObject({ eventId, type: 'customer.created.v1' });
    expect(result.event.customer).toMatchObject({
      customer_guid: customer.customer_guid, login: 'Ada', balance_allowed: '899999999.9999999', kyc_level: 2, accounts_total: 1, version: 1,
    });
    expect(result.event.accounts).toEqual([expect.objectContaining({ wallet_account_guid: customer.accounts[0].wallet_account_guid })]);
  });

  it.each([
    [null, 'empty message value'],
    ['{"event_id":', 'value is not valid JSON'],
    ['[]', '/ must be object'],
  ])('refuses %p: %s', (value, reason) => {
    expect(reasonFor(value)).toBe(reason);
  });

  // The contract's JSON Schemas (libs/contracts, through its kit) find these; reasons are JSON pointers and rules.
  it.each([
    ['a missing event id', (p: LooseEvent) => delete p.event_id, "/ must have required property 'event_id'"],
    ['an unknown type', (p: LooseEvent) => (p.type = 'customer.deleted.v9'), '/type must be a customer event type'],
    ['a version of the wrong type', (p: LooseEvent) => (p.version = '1'), '/version must be integer'],
    ['a snapshot of another customer', (p: LooseEvent) => (p.customer.customer_guid = randomUUID()), 'customer_guid differs from customer.customer_guid; an account belongs to another customer'],
    ['a missing snapshot field', (p: LooseEvent) => delete p.customer.surname, "/customer must have required property 'surname'"],
    ['a kyc level below 0', (p: LooseEvent) => (p.customer.kyc_level = -1), '/customer/kyc_level must be >= 0'],
    ['money as a string', (p: LooseEvent) => (p.customer.balance_allowed = '1'), '/customer/balance_allowed must be number'],
    ['a bad timestamp', (p: LooseEvent) => (p.customer.created_at = 'yesterday'), '/customer/created_at must match format "date-time"'],
    ['accounts not an array', (p: LooseEvent) => (p.customer.accounts = {}), '/customer/accounts must be array'],
    ['an account of another customer', (p: LooseEvent) => ((p.customer.accounts as Record<string, unknown>[])[0].customer_guid = randomUUID()), 'an account belongs to another customer'],
    ['a login too long', (p: LooseEvent) => (p.customer.login = 'x'.repeat(256)), '/customer/login must NOT have more than 255 characters'],
    ['a field the contract does not have', (p: LooseEvent) => (p.customer.secret_field = 'secret value'), '/customer must NOT have additional properties'],
    ['a phone number that is not E.164', (p: LooseEvent) => (p.customer.phone_number = 'secret 555'), '/customer/phone_number must match pattern "^\\+[1-9][0-9]{1,14}$"'],
    // What a schema cannot say: exact money digits, the read model's columns, canonical guids, times both PostgreSQL and JavaScript read.
    ['money with 8 decimals', (p: LooseEvent) => (p.customer.balance_allowed = 0.00000001), '/customer/balance_allowed must have at most 7 decimal places'],
    ['a kyc level beyond an integer column', (p: LooseEvent) => (p.customer.kyc_level = 2 ** 31), '/customer/kyc_level must be an integer from 0 to 2147483647'],
    ['a guid with a urn: prefix', (p: LooseEvent) => (p.customer.branch_guid = `urn:uuid:${randomUUID()}`), '/customer/branch_guid must be a UUID'],
    ['a leap second', (p: LooseEvent) => (p.customer.updated_at = '2016-12-31T23:59:60Z'), expect.stringMatching(/^\/customer\/updated_at must be an RFC 3339 date-time .*no leap second/)],
    ['an offset without minutes', (p: LooseEvent) => (p.occurred_at = '2026-12-02T10:00:00+01'), expect.stringMatching(/^\/occurred_at must be an RFC 3339 date-time/)],
    ['an actor longer than the history column', (p: LooseEvent) => (p.actor = { sub: 'x'.repeat(256), branch_guid: null }), '/actor/sub must be at most 255 characters'],
  ])('refuses %s, naming the field but not its value', (_name, change, reason) => {
    const found = reasonFor(mutated(change));
    expect(found).toEqual(reason);
    expect(found).not.toContain('secret');
  });

  it('refuses a ce_id header that differs from event_id', () => {
    expect(reasonFor(eventJson(testCustomer(counterparty)), randomUUID())).toBe('ce_id header differs from event_id');
  });

  it('lists every problem the schema finds, cut to fit projection_errors.reason (varchar(500))', () => {
    const reason = reasonFor(mutated((p) => {
      const [account] = p.customer.accounts as Record<string, unknown>[];
      p.customer.accounts = Array.from({ length: 40 }, () => ({ ...account, iban: 'secret', asset_code: '' }));
    }));
    expect(reason).toMatch(/^\/customer\/accounts\/0\/iban must match pattern/);
    expect(reason.length).toBeLessThanOrEqual(500);
    expect(reason).not.toContain('secret');
  });

  it('keeps what the history needs: the actor, an update\'s changes as exact JSON text, an opened account', () => {
    const update = mutated((payload) => {
      payload.type = 'customer.updated.v1';
      payload.actor = { sub: 'борис@bank', branch_guid: '9A1E5F3C-2B4D-4C6E-8F0A-1B2C3D4E5F60' };
      payload.changes = { balance_allowed: { from: 0, to: 1 } };
    }).replace('"to":1}', '"to":899999999.9999999}');
    const parsed = parseCustomerEvent(update);
    expect(parsed.ok && parsed.event).toMatchObject({
      actor: { sub: 'борис@bank', branchGuid: '9a1e5f3c-2b4d-4c6e-8f0a-1b2c3d4e5f60' },
      changes: '{"balance_allowed":{"from":0,"to":899999999.9999999}}',
      account: null,
    });
    const opened = mutated((payload) => {
      payload.type = 'customer.account_opened.v1';
      payload.account = (payload.customer as { accounts: unknown[] }).accounts[0];
    });
    const { account } = JSON.parse(opened) as { account: { wallet_account_guid: string } };
    const parsedOpened = parseCustomerEvent(opened);
    expect(parsedOpened.ok && parsedOpened.event).toMatchObject({ changes: null, account: { guid: account.wallet_account_guid, assetCode: 'EURC' } });
  });

  it.each([
    ['no actor', (p: LooseEvent) => delete p.actor, "/ must have required property 'actor'"],
    ['an update without changes', (p: LooseEvent) => (p.type = 'customer.updated.v1'), "/ must have required property 'changes'"],
    ['an update with no change', (p: LooseEvent) => Object.assign(p, { type: 'customer.updated.v1', changes: {} }), '/changes must NOT have fewer than 1 properties'],
    ['a change that is not {from, to}', (p: LooseEvent) => Object.assign(p, { type: 'customer.updated.v1', changes: { kyc_level: { to: 1 } } }), "/changes/kyc_level must have required property 'from'"],
    ['an account opening without its account', (p: LooseEvent) => (p.type = 'customer.account_opened.v1'), "/ must have required property 'account'"],
  ])('refuses %s', (_, change, reason) => {
    expect(reasonFor(mutated(change))).toBe(reason);
  });
});
