import { stringifyJson } from '../../../fields/money';
import { StoredHistoryRow } from '../../../read-model/history.table';
import { historyEntryOfRow } from './history-entry';

const row = (fields: Partial<StoredHistoryRow>): StoredHistoryRow => ({
  customer_guid: '6f1c2b4e-8d3a-4f5b-9c7e-1a2b3c4d5e6f', version: 2, event_id: '0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21', type: 'updated',
  occurred_at: '2026-12-02T10:28:24.288000', actor_sub: 'anna.k', actor_branch_guid: null, changes: null,
  account_guid: null, account_asset_code: null, account_asset_issuer: null, ...fields,
});

describe('historyEntryOfRow', () => {
  it('prints occurred_at with milliseconds, or microseconds when the event had them (.NET and Java write 7 and 9 digits)', () => {
    expect(historyEntryOfRow(row({})).occurred_at).toBe('2026-12-02T10:28:24.288Z');
    expect(historyEntryOfRow(row({ occurred_at: '2026-12-02T10:28:24.288123' })).occurred_at).toBe('2026-12-02T10:28:24.288123Z');
    expect(historyEntryOfRow(row({ occurred_at: '2026-12-02T10:28:24.000000' })).occurred_at).toBe('2026-12-02T10:28:24.000Z');
  });

  it('gives each change as {from, to}, amounts with their exact digits, text and integers as they were', () => {
    const changes = '{"name": {"to": "Анна", "from": "Ørsted"}, "kyc_level": {"to": 2, "from": 0}, "balance_allowed": {"to": 899999999.9999999, "from": 0.0000001}}';
    expect(stringifyJson(historyEntryOfRow(row({ changes })).changes)).toBe(
      '{"name":{"from":"Ørsted","to":"Анна"},"kyc_level":{"from":0,"to":2},"balance_allowed":{"from":0.0000001,"to":899999999.9999999}}',
    );
  });

  it('reads changes without decimals the fast way, and digits in text stay text', () => {
    const changes = '{"status": {"to": "review 1.5e3", "from": null}, "kyc_level": {"to": 3, "from": 2}}';
    expect(historyEntryOfRow(row({ changes })).changes).toEqual({ status: { from: null, to: 'review 1.5e3' }, kyc_level: { from: 2, to: 3 } });
    expect(historyEntryOfRow(row({ changes: '{"is_disabled": {"to": true, "from": false}}' })).changes).toEqual({ is_disabled: { from: false, to: true } });
  });

  it('names the account an account_opened event opened, and the actor with their branch', () => {
    const entry = historyEntryOfRow(row({
      type: 'account_opened', actor_branch_guid: '9a1e5f3c-2b4d-4c6e-8f0a-1b2c3d4e5f60', account_guid: '2c9e4a1b-7f3d-4e5a-9b8c-0d1e2f3a4b5c',
      account_asset_code: 'USDC', account_asset_issuer: 'GARGBAQNS4R3LERFTCQXZOTWI56BLJRA32XYN5O3Z55THREJ54C46GFJ',
    }));
    expect(entry).toMatchObject({
      type: 'account_opened', changes: null, actor: { sub: 'anna.k', branch_guid: '9a1e5f3c-2b4d-4c6e-8f0a-1b2c3d4e5f60' },
      account: { wallet_account_guid: '2c9e4a1b-7f3d-4e5a-9b8c-0d1e2f3a4b5c', asset_code: 'USDC', asset_issuer: 'GARGBAQNS4R3LERFTCQXZOTWI56BLJRA32XYN5O3Z55THREJ54C46GFJ' },
    });
  });
});
