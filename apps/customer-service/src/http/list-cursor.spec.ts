import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ApiError } from './api-error';
import { decodeCursor, encodeCursor, listFingerprint } from './list-cursor';

const position = { key: '2026-01-01 00:00:00.123456+00', guid: '0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21', snapshot: '1200:1207:1201,1204' };
const fingerprint = listFingerprint({ list: 'customers', ordering: '-created_at', filter: { names: ['b', 'a'], is_disabled: false } });

const codeOf = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).getStatus()).toBe(400);
    return (error as ApiError).code;
  }
  return 'ACCEPTED';
};

describe('list cursors', () => {
  it('round-trip the position of a walk, NULL keys included', () => {
    expect(decodeCursor(encodeCursor(position, fingerprint), fingerprint)).toEqual(position);
    const nullKey = { key: null, guid: position.guid };
    expect(decodeCursor(encodeCursor(nullKey, fingerprint), fingerprint)).toEqual(nullKey);
  });

  it('fingerprint equal filters alike, whatever the order of their keys and values', () => {
    expect(listFingerprint({ list: 'customers', ordering: '-created_at', filter: { is_disabled: false, names: ['a', 'b'] } })).toBe(fingerprint);
    expect(listFingerprint({ list: 'customers', ordering: 'created_at', filter: { names: ['a', 'b'], is_disabled: false } })).not.toBe(fingerprint);
  });

  it('refuse a cursor made for another ordering or other filters as CURSOR_MISMATCH', () => {
    const other = listFingerprint({ list: 'customers', ordering: 'login', filter: {} });
    expect(codeOf(() => decodeCursor(encodeCursor(position, other), fingerprint))).toBe('CURSOR_MISMATCH');
  });

  it('refuse any alteration as INVALID_CURSOR, never anything but a 400', () => {
    const valid = encodeCursor(position, fingerprint);
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.string({ minLength: 1, maxLength: 3 }), (at, insert) => {
        const altered = valid.slice(0, at) + insert + valid.slice(at + 1);
        fc.pre(altered !== valid);
        expect(['INVALID_CURSOR']).toContain(codeOf(() => decodeCursor(altered, fingerprint)));
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (junk) => expect(codeOf(() => decodeCursor(junk, fingerprint))).toBe('INVALID_CURSOR')));
  });

  it('refuse a well-formed cursor whose content is not a position (a made-up one with a correct checksum)', () => {
    const forge = (payload: unknown) => {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      // The checksum is not secret: a forger can compute it; the content is still checked.
      const sum = createHash('sha256').update(`list-cursor:${body}`).digest('base64url').slice(0, 16);
      return `${body}.${sum}`;
    };
    for (const bad of [
      { key: 'x', guid: 'not-a-guid', for: fingerprint },
      { key: 1, guid: position.guid, for: fingerprint },
      { key: 'x', guid: position.guid, snapshot: "1:2:'); DROP TABLE customers; --", for: fingerprint },
      { key: 'x'.repeat(2000), guid: position.guid, for: fingerprint },
      [position],
    ]) {
      expect(codeOf(() => decodeCursor(forge(bad), fingerprint))).toBe('INVALID_CURSOR');
    }
  });
});
