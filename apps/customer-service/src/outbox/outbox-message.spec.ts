import { ClaimedRow, toKafkaMessage } from './outbox-message';

const row: ClaimedRow = {
  id: '0b5f3c4e-5d3a-4c1e-9d7a-3f3f8e0c1a11',
  seq: '42',
  aggregateid: '6a1f0e2d-8b7c-4d5e-a1f2-b3c4d5e6f708',
  type: 'customer.updated.v1',
  payload: '{"version": 2, "balance_allowed": 899999999.9999999}',
  occurred_at: '2026-11-25T10:00:00.123Z',
  created_at: new Date('2026-11-25T10:00:00.200Z'),
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
};

describe('toKafkaMessage', () => {
  it('keys by customer, keeps the stored JSON text as is and sets the CloudEvents headers', () => {
    expect(toKafkaMessage(row)).toEqual({
      key: row.aggregateid,
      value: '{"version": 2, "balance_allowed": 899999999.9999999}',
      headers: {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        ce_specversion: '1.0',
        ce_id: row.id,
        ce_type: 'customer.updated.v1',
        ce_source: '/customer-service',
        ce_subject: row.aggregateid,
        ce_time: '2026-11-25T10:00:00.123Z',
        'content-type': 'application/json',
      },
    });
  });

  it('falls back to the row time when the payload has no occurred_at, and omits an absent traceparent', () => {
    const message = toKafkaMessage({ ...row, occurred_at: null, headers: {} });
    expect(message.headers).toMatchObject({ ce_time: '2026-11-25T10:00:00.200Z' });
    expect(message.headers).not.toHaveProperty('traceparent');
  });

  it('never lets a stored header replace a CloudEvents one, and drops non-string values', () => {
    const message = toKafkaMessage({ ...row, headers: { ce_id: 'forged', 'content-type': 'text/plain', retries: 3 } });
    expect(message.headers).toMatchObject({ ce_id: row.id, 'content-type': 'application/json' });
    expect(message.headers).not.toHaveProperty('retries');
  });
});
