import { readdirSync, readFileSync } from 'node:fs';
import { CONTRACT_SCHEMAS } from '../src/schemas';
import { RELEASED_DIR, releasedFile } from './release-schemas';
import { breakingChanges } from './schema-compatibility';

const released = readdirSync(RELEASED_DIR).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length));

describe('schema compatibility with the last released copies (libs/contracts/schemas)', () => {
  it('has a released copy of every schema of version 1', () => {
    expect(released.sort()).toEqual(Object.keys(CONTRACT_SCHEMAS).filter((name) => name.endsWith('.v1') || name.endsWith('.v1.headers')).sort());
  });

  it.each(released)('%s: still published, with no change that breaks its consumers (bump the version instead)', (name) => {
    const current = CONTRACT_SCHEMAS[name];
    expect(current).toBeDefined();
    const { $schema: _dialect, ...copy } = JSON.parse(readFileSync(releasedFile(name), 'utf8')) as Record<string, unknown>;
    expect(breakingChanges(copy, JSON.parse(JSON.stringify(current)))).toEqual([]);
  });
});

describe('breakingChanges', () => {
  const released = {
    type: 'object',
    required: ['a'],
    properties: {
      a: { type: 'string' },
      b: { type: ['string', 'null'] },
      segment: { enum: ['PL', 'PI', null] },
      list: { type: 'array', items: { type: 'object', properties: { x: { type: 'integer' } } } },
    },
  };
  const edit = (change: (schema: typeof released) => void) => {
    const copy = structuredClone(released);
    change(copy);
    return breakingChanges(released, copy);
  };

  it('allows an unchanged schema, a new optional field and a widened enum', () => {
    expect(edit(() => undefined)).toEqual([]);
    expect(edit((s) => Object.assign(s.properties, { c: { type: 'string' } }))).toEqual([]);
    expect(edit((s) => (s.properties.segment.enum = ['PL', 'PI', 'XX', null]))).toEqual([]);
  });

  it('finds a removed field, a retyped field, a new required field and a narrowed enum, nested ones too', () => {
    expect(edit((s) => delete (s.properties as Partial<typeof s.properties>).b)).toEqual(['/b: removed']);
    expect(edit((s) => (s.properties.a.type = 'integer'))).toEqual(['/a: type changed from string to integer']);
    expect(edit((s) => (s.required = ['a', 'b']))).toEqual(['/b: newly required']);
    expect(edit((s) => (s.properties.segment.enum = ['PL', null]))).toEqual(['/segment: enum narrowed (PI removed)']);
    expect(edit((s) => (s.properties.list.items.properties.x.type = 'string'))).toEqual(['/list/items/x: type changed from integer to string']);
  });
});
