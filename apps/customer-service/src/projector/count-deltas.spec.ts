import { NO_BRANCH } from '../read-model/read-model.tables';
import { CountDeltas } from './read-model.writer';

const CP = '11111111-1111-4111-8111-111111111111';
const BRANCH = '22222222-2222-4222-8222-222222222222';
const customer = (over: Partial<{ branch_guid: string | null; kyc_level: number; segment: string | null; is_disabled: boolean }> = {}) => ({
  counterparty_guid: CP, branch_guid: null, kyc_level: 1, segment: 'PL', is_disabled: false, ...over,
});

describe('CountDeltas', () => {
  it('adds a new customer to its bucket (no branch = the nil uuid, no segment = empty)', () => {
    const counts = new CountDeltas();
    counts.move(undefined, customer({ segment: null }));
    expect(counts.changed()).toEqual([{ key: [CP, NO_BRANCH, 1, ''], enabled: 1, disabled: 0 }]);
  });

  it('moves a customer between buckets when its KYC level, segment, branch or state changes', () => {
    const counts = new CountDeltas();
    counts.move(customer(), customer({ kyc_level: 2, segment: 'PI', branch_guid: BRANCH, is_disabled: true }));
    expect(counts.changed()).toEqual([
      { key: [CP, NO_BRANCH, 1, 'PL'], enabled: -1, disabled: 0 },
      { key: [CP, BRANCH, 2, 'PI'], enabled: 0, disabled: 1 },
    ]);
  });

  it('nets out over several events and leaves unchanged buckets out', () => {
    const counts = new CountDeltas();
    counts.move(undefined, customer());
    counts.move(customer(), customer({ status: 'x' } as never));
    counts.move(customer(), customer({ kyc_level: 3 }));
    counts.move(customer({ kyc_level: 3 }), customer());
    expect(counts.changed()).toEqual([{ key: [CP, NO_BRANCH, 1, 'PL'], enabled: 1, disabled: 0 }]);
  });

  it('lists buckets in one key order, whatever order the events came in', () => {
    const a = new CountDeltas();
    const b = new CountDeltas();
    const moves = [customer({ kyc_level: 5 }), customer({ branch_guid: BRANCH }), customer({ segment: 'PI' })];
    moves.forEach((m) => a.move(undefined, m));
    [...moves].reverse().forEach((m) => b.move(undefined, m));
    expect(a.changed()).toEqual(b.changed());
  });
});
