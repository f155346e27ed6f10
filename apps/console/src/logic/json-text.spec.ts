import { parseJsonText } from './json-text';

describe('parseJsonText', () => {
  it('gives the value of JSON text, or why it is not JSON', () => {
    expect(parseJsonText('{"a": [1, null]}')).toEqual({ value: { a: [1, null] } });
    expect(parseJsonText('null')).toEqual({ value: null });
    expect(parseJsonText('{"a":')).toEqual({ error: expect.stringMatching(/^not JSON: /) });
  });

  it('takes empty text as no value only when allowed', () => {
    expect(parseJsonText('  ', true)).toEqual({});
    expect(parseJsonText('', false)).toEqual({ error: expect.stringMatching(/^not JSON: /) });
  });
});
