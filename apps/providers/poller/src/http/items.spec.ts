import { checkJsonPath, extractItems, firstMatch } from './items';

describe('extractItems', () => {
  const body = { data: { items: [{ id: 1 }, { id: 2 }] }, next: 'abc' };

  it('takes the array a path points at, or every match', () => {
    expect(extractItems(body, '$.data.items')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(extractItems(body, '$.data.items[*]')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(extractItems([{ id: 3 }], '$')).toEqual([{ id: 3 }]);
    expect(extractItems(body, '$..id')).toEqual([1, 2]);
  });

  it('finds nothing where nothing matches or the body is not JSON structure', () => {
    expect(extractItems(body, '$.missing')).toEqual([]);
    expect(extractItems(null, '$')).toEqual([]);
  });

  it('reads the first match of a token path', () => {
    expect(firstMatch(body, '$.next')).toBe('abc');
    expect(firstMatch(body, '$.none')).toBeUndefined();
  });

  it('rejects an invalid path with the reason', () => {
    expect(() => checkJsonPath('$.items[?(@.a ===)]')).toThrow(
      'JSONPath "$.items[?(@.a ===)]" is invalid: Expected expression after === at character 10',
    );
    expect(() => checkJsonPath('$.items[')).toThrow(
      'JSONPath "$.items[" is invalid: its brackets or parentheses do not balance',
    );
  });

  it('accepts valid paths, filters included', () => {
    for (const path of ['$', '$.a.b', "$['odd key'][*]", '$.items[?(@.price > 10)]', '$..id']) {
      expect(() => checkJsonPath(path)).not.toThrow();
    }
  });
});
