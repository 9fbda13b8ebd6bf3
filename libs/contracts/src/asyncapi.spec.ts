import path from 'node:path';
import { fromFile, Parser } from '@asyncapi/parser';
import {
  CUSTOMER_ACCOUNT_OPENED_V1,
  CUSTOMER_CREATED_V1,
  CUSTOMER_EVENT_HEADERS_V1_SCHEMA,
  CUSTOMER_EVENT_V1_SCHEMAS,
  CUSTOMER_EVENTS_TOPIC,
  CUSTOMER_SNAPSHOT_HEADERS_V1_SCHEMA,
  CUSTOMER_SNAPSHOT_V1,
  CUSTOMER_SNAPSHOT_V1_SCHEMA,
  CUSTOMER_SNAPSHOTS_TOPIC,
  CUSTOMER_UPDATED_V1,
} from './index';

const DOCUMENT = path.resolve(__dirname, '../../../docs/asyncapi.yaml');

/** The parser adds `x-parser-*` bookkeeping to every schema it resolves. */
function withoutParserKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutParserKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).filter(([key]) => !key.startsWith('x-parser-')).map(([key, item]) => [key, withoutParserKeys(item)]),
    );
  }
  return value;
}

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('docs/asyncapi.yaml', () => {
  let parsed: Awaited<ReturnType<ReturnType<typeof fromFile>['parse']>>;
  beforeAll(async () => {
    // Offline: every $ref is inside the document.
    parsed = await fromFile(new Parser(), DOCUMENT).parse();
  }, 30_000);

  it('is a valid AsyncAPI 3.0 document with no errors or warnings', () => {
    // Severity 0 is an error, 1 a warning. (The parser re-exports DiagnosticSeverity from another copy
    // of @stoplight/types than its diagnostics are typed with, so the enums do not compare.)
    const problems = parsed.diagnostics.filter((diagnostic) => (diagnostic.severity as number) <= 1);
    expect(problems.map((problem) => `${problem.code}: ${problem.message} at ${problem.path.join('.')}`)).toEqual([]);
    expect(parsed.document?.version()).toBe('3.0.0');
  });

  it('describes the contracts\' two topics, keyed by customer guid, sent by this service', () => {
    const document = parsed.document!;
    expect(document.channels().all().map((channel) => channel.address()).sort()).toEqual([CUSTOMER_EVENTS_TOPIC, CUSTOMER_SNAPSHOTS_TOPIC].sort());
    for (const channel of document.channels().all()) {
      expect(channel.bindings().get('kafka')?.value()).toMatchObject({ topic: channel.address() });
    }
    const sent = document.operations().all().map((operation) => [operation.action(), operation.channels().all().map((item) => item.address())]);
    expect(sent).toEqual(expect.arrayContaining([['send', [CUSTOMER_EVENTS_TOPIC]], ['send', [CUSTOMER_SNAPSHOTS_TOPIC]]]));
    for (const message of document.messages().all()) {
      expect(message.bindings().get('kafka')?.value()).toMatchObject({ key: { type: 'string', format: 'uuid' } });
    }
  });

  it('has one message per event type and the snapshot record, whose payload and headers are exactly the contracts\' JSON Schemas', () => {
    const messages = parsed.document!.messages().all();
    expect(messages.map((message) => message.name()).sort()).toEqual(
      [CUSTOMER_ACCOUNT_OPENED_V1, CUSTOMER_CREATED_V1, CUSTOMER_UPDATED_V1, CUSTOMER_SNAPSHOT_V1].sort(),
    );
    for (const message of messages) {
      const snapshot = message.name() === CUSTOMER_SNAPSHOT_V1;
      const payload = snapshot ? CUSTOMER_SNAPSHOT_V1_SCHEMA : CUSTOMER_EVENT_V1_SCHEMAS[message.name() as keyof typeof CUSTOMER_EVENT_V1_SCHEMAS];
      expect(message.contentType()).toBe('application/json');
      expect(withoutParserKeys(message.payload()!.json())).toEqual(plain(payload));
      expect(withoutParserKeys(message.headers()!.json())).toEqual(plain(snapshot ? CUSTOMER_SNAPSHOT_HEADERS_V1_SCHEMA : CUSTOMER_EVENT_HEADERS_V1_SCHEMA));
    }
  });
});
