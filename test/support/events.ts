import { randomUUID } from 'node:crypto';
import { CustomerAccountOpenedV1, CustomerEventV1, CustomerSnapshotV1, CustomerUpdatedV1, WalletAccountSnapshotV1 } from '@app/contracts';
import { Kafka, logLevel, Producer } from 'kafkajs';

export const TEST_ISSUER = 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7';

/** A customer snapshot as `libs/contracts` CustomerSnapshotV1 carries it; money as exact text. */
export type TestCustomer = Omit<CustomerSnapshotV1, 'balance_allowed' | 'accounts'> & {
  /** Written into the JSON as a bare number with exactly these digits. */
  balance_allowed: string;
  accounts: TestAccount[];
};

export type TestAccount = WalletAccountSnapshotV1;

export function testCustomer(counterparty: string, fields: Partial<TestCustomer> = {}): TestCustomer {
  const guid = fields.customer_guid ?? randomUUID();
  const at = fields.created_at ?? new Date().toISOString();
  return {
    customer_guid: guid,
    counterparty_guid: counterparty,
    login: null, name: null, surname: null, paternal_name: null, phone_number: null,
    kyc_level: 0, is_disabled: false, balance_allowed: '0',
    balance_asset_code: null, balance_asset_issuer: null, branch_guid: null, segment: null, status: null,
    version: 1, created_at: at, updated_at: at,
    accounts: [testAccount(guid, counterparty, at)],
    ...fields,
  };
}

export function testAccount(customer: string, counterparty: string, at: string, fields: Partial<TestAccount> = {}): TestAccount {
  return {
    wallet_account_guid: randomUUID(), customer_guid: customer, counterparty_guid: counterparty, iban: null,
    asset_code: 'EURC', asset_issuer: TEST_ISSUER, activated: true, registered: true, blocked: false, type: 'customer',
    created_at: at, updated_at: at, ...fields,
  };
}

const TYPES = { 1: 'customer.created.v1' } as Record<number, string>;

/** The event JSON text for a snapshot (created at version 1, updated after), money exact. */
export function eventJson(customer: TestCustomer, eventId: string = randomUUID(), occurredAt = new Date().toISOString()): string {
  const payload = {
    event_id: eventId,
    type: TYPES[customer.version] ?? 'customer.updated.v1',
    occurred_at: occurredAt,
    counterparty_guid: customer.counterparty_guid,
    customer_guid: customer.customer_guid,
    version: customer.version,
    actor: { sub: 'test', branch_guid: null },
    customer: { ...customer, balance_allowed: '@@MONEY@@' },
    // The contract wants at least one change in an update; which one does not matter to these tests.
    ...(customer.version > 1 ? { changes: { kyc_level: { from: customer.kyc_level, to: customer.kyc_level } } } : {}),
  };
  return JSON.stringify(payload).replace('"@@MONEY@@"', customer.balance_allowed);
}

export interface TestMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function eventMessage(customer: TestCustomer, eventId: string = randomUUID(), occurredAt?: string): TestMessage {
  return {
    key: customer.customer_guid,
    value: eventJson(customer, eventId, occurredAt),
    headers: { ce_id: eventId, ce_type: customer.version === 1 ? 'customer.created.v1' : 'customer.updated.v1', 'content-type': 'application/json' },
  };
}

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'read-side-tests', brokers: (process.env.KAFKA_BROKERS ?? '').split(','), logLevel: logLevel.NOTHING });
}

/** Creates a topic of its own for a test (the broker does not auto-create). */
export async function createTopic(kafka: Kafka, topic: string, numPartitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** An idempotent producer, connected, for writing test events in order (one request in flight). */
export async function connectedProducer(kafka: Kafka = testKafka()): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}

export async function produce(producer: Producer, topic: string, messages: (TestMessage | { key: string; value: string; headers?: Record<string, string> })[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  }
}

/**
 * A customer event as a test reads it back (from the outbox or the topic): any type of
 * `libs/contracts`, with the fields only some types carry readable on all of them.
 */
export type ReadBackEvent = CustomerEventV1 & Partial<Pick<CustomerUpdatedV1, 'changes'> & Pick<CustomerAccountOpenedV1, 'account'>>;
