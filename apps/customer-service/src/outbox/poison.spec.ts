import { KafkaJSAggregateError, KafkaJSProtocolError } from 'kafkajs';
import { poisonType } from './poison';

const protocolError = (type: string, retriable: boolean) => new KafkaJSProtocolError({ message: `broker says ${type}`, type, code: 1, retriable } as never);

describe('poisonType', () => {
  it('finds a refusal of the record however kafkajs wrapped it', () => {
    const tooLarge = protocolError('MESSAGE_TOO_LARGE', false);
    expect(poisonType(tooLarge)).toBe('MESSAGE_TOO_LARGE');
    // kafkajs's retrier rethrows a non-retriable error as KafkaJSNonRetriableError with the original as its cause.
    expect(poisonType(new Error('wrapped', { cause: tooLarge }))).toBe('MESSAGE_TOO_LARGE');
    expect(poisonType(new KafkaJSAggregateError('send failed', [new Error('other'), protocolError('INVALID_RECORD', false)]))).toBe('INVALID_RECORD');
  });

  it('does not take errors that concern every record for poison', () => {
    expect(poisonType(protocolError('TOPIC_AUTHORIZATION_FAILED', false))).toBeUndefined();
    expect(poisonType(protocolError('NOT_LEADER_FOR_PARTITION', true))).toBeUndefined();
    expect(poisonType(new Error('Connection timeout'))).toBeUndefined();
    expect(poisonType(undefined)).toBeUndefined();
  });
});
