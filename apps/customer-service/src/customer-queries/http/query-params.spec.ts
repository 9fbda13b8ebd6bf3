import { ApiError } from '../../http/api-error';
import { list, readers, readQuery, single } from './query-params';

describe('readQuery', () => {
  const specs = { ids: list(readers.integer(0, 10)), flag: single(readers.boolean) };

  it('caps list parameters', () => {
    const many = Array.from({ length: 501 }, () => '1');
    expect(() => readQuery({ ids: many }, specs)).toThrow(ApiError);
  });

  it('ignores prototype keys as unknown parameters', () => {
    const raw = JSON.parse('{"__proto__": "1", "constructor": "2"}');
    try {
      readQuery(raw, specs);
      throw new Error('expected a 400');
    } catch (error) {
      expect((error as ApiError).details.map((d) => d.field).sort()).toEqual(['__proto__', 'constructor']);
    }
  });

  it('accepts true/false/1/0 for booleans', () => {
    expect(readQuery({ flag: '1' }, specs)).toEqual({ flag: true });
    expect(readQuery({ flag: 'false' }, specs)).toEqual({ flag: false });
  });
});
