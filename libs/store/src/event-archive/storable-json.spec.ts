import fc from 'fast-check';
import { storableJson } from './storable-json';

describe('storableJson', () => {
  it('writes ordinary values exactly as JSON.stringify does', () => {
    const value = { a: 'é — 😀', b: [1, null, true], c: { d: 'x\\y' } };
    expect(storableJson(value)).toBe(JSON.stringify(value));
  });

  it('replaces lone surrogates, high or low, anywhere in the value, and keeps pairs', () => {
    const value = { high: 'a\uD800b', low: ['\uDC00'], [`k\uD801`]: 'pair 😀 \uDBFF' };
    const parsed = JSON.parse(storableJson(value)) as Record<string, unknown>;
    expect(parsed).toEqual({ high: 'a\uFFFDb', low: ['\uFFFD'], 'k\uFFFD': 'pair 😀 \uFFFD' });
  });

  it('keeps a literal backslash followed by "ud" as it is', () => {
    const value = { path: 'C:\\udata\\D800' };
    expect(JSON.parse(storableJson(value))).toEqual(value);
  });

  it('never emits a surrogate escape PostgreSQL would refuse, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const json = storableJson({ text, nested: [{ [text]: text }] });
        // A surrogate escape: \u after an odd number of backslashes.
        expect(json).not.toMatch(/(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F]/);
        const parsed = JSON.parse(json) as { text: string };
        expect(parsed.text.isWellFormed()).toBe(true);
        if (text.isWellFormed()) expect(parsed.text).toBe(text);
      }),
    );
  });
});
