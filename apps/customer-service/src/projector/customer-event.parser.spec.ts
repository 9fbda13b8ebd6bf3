import { randomUUID } from 'node:crypto';
import { eventJson, testCustomer } from '../../../../test/support/events';
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
    ['[]', 'value: must be an object'],
  ])('refuses %p: %s', (value, reason) => {
    expect(reasonFor(value)).toBe(reason);
  });

  it.each([
    ['a missing event id', (p: LooseEvent) => delete p.event_id, 'event_id: must be a UUID'],
    ['an unknown type', (p: LooseEvent) => (p.type = 'customer.deleted.v9'), 'type: unknown event type'],
    ['a version of the wrong type', (p: LooseEvent) => (p.version = '1'), 'version: must be an integer from 1'],
    ['a snapshot of another customer', (p: LooseEvent) => (p.customer.customer_guid = randomUUID()), 'customer.customer_guid differs from customer_guid'],
    ['a missing snapshot field', (p: LooseEvent) => delete p.customer.surname, 'customer.surname: is missing'],
    ['a kyc level below 0', (p: LooseEvent) => (p.customer.kyc_level = -1), 'customer.kyc_level: must be an integer from 0'],
    ['money as a string', (p: LooseEvent) => (p.customer.balance_allowed = '1'), 'customer.balance_allowed: must be a number'],
    ['money with 8 decimals', (p: LooseEvent) => (p.customer.balance_allowed = 0.00000001), 'customer.balance_allowed: must have at most 7 decimal places'],
    ['a bad timestamp', (p: LooseEvent) => (p.customer.created_at = 'yesterday'), 'customer.created_at: must be an RFC 3339 timestamp'],
    ['accounts not an array', (p: LooseEvent) => (p.customer.accounts = {}), 'customer.accounts: must be an array'],
    ['an account of another customer', (p: LooseEvent) => ((p.customer.accounts as Record<string, unknown>[])[0].customer_guid = randomUUID()), 'customer.accounts: an account belongs to another customer'],
    ['a login too long', (p: LooseEvent) => (p.customer.login = 'x'.repeat(256)), 'customer.login: must be at most 255 characters'],
  ])('refuses %s, naming the field but not its value', (_name, change, reason) => {
    expect(reasonFor(mutated(change))).toBe(reason);
  });

  it('refuses a ce_id header that differs from event_id', () => {
    expect(reasonFor(eventJson(testCustomer(counterparty)), randomUUID())).toBe('ce_id header differs from event_id');
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
    ['no actor', (p: Record<string, any>) => delete p.actor, 'actor: must be an object'], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['an update without changes', (p: Record<string, any>) => (p.type = 'customer.updated.v1'), 'changes: must be an object'], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['a change that is not {from, to}', (p: Record<string, any>) => Object.assign(p, { type: 'customer.updated.v1', changes: { kyc_level: { to: 1 } } }), 'changes.<field>: must be {from, to}'], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['an account opening without its account', (p: Record<string, any>) => (p.type = 'customer.account_opened.v1'), 'account: must be an object'], // eslint-disable-line @typescript-eslint/no-explicit-any
  ])('refuses %s', (_, change, reason) => {
    expect(reasonFor(mutated(change))).toBe(reason);
  });
});
