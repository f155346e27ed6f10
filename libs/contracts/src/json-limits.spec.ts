import { describeJsonProblem, findJsonProblem, MAX_JSON_DEPTH } from './json-limits';

function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let level = 0; level < levels; level++) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('findJsonProblem', () => {
  it('accepts ordinary JSON, scalars, bytes and nesting up to the limit', () => {
    expect(
      findJsonProblem({ ref: 'refs/heads/main', commits: [{ id: 'a', n: 1 }] }),
    ).toBeUndefined();
    expect(findJsonProblem('text')).toBeUndefined();
    expect(findJsonProblem(null)).toBeUndefined();
    expect(findJsonProblem(Buffer.from([0, 1, 2]))).toBeUndefined();
    expect(findJsonProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
  });

  it('refuses nesting one level past the limit, naming where', () => {
    const problem = findJsonProblem({ data: nested(MAX_JSON_DEPTH) });
    expect(problem?.message).toBe(`nests deeper than ${MAX_JSON_DEPTH} levels`);
    expect(problem?.path).toMatch(/^data(\[0\]|\.a)+$/);
  });

  it('walks without recursion: a million levels neither overflow nor hang', () => {
    const text = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    expect(findJsonProblem(JSON.parse(text))?.message).toContain('nests deeper');
  });

  it('refuses a NUL in a string or in a key, with its path', () => {
    expect(findJsonProblem({ a: [1, 'x\u0000y'] })).toEqual({
      path: 'a[1]',
      message: 'contains a NUL character (\\u0000)',
    });
    expect(findJsonProblem({ a: { 'b\u0000': 1 } })).toEqual({
      path: 'a["b\\u0000"]',
      message: 'has a key with a NUL character (\\u0000)',
    });
    expect(findJsonProblem('\u0000')).toEqual({
      path: '',
      message: 'contains a NUL character (\\u0000)',
    });
  });

  it('refuses a lone surrogate in a string or in a key, and accepts a pair', () => {
    expect(findJsonProblem({ a: ['ok', 'x\uD800y'] })).toEqual({
      path: 'a[1]',
      message:
        'contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff), which is not Unicode text',
    });
    expect(findJsonProblem(JSON.parse('{"b":{"\\udc00":1}}'))?.message).toBe(
      'has a key that contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff), which is not Unicode text',
    );
    expect(findJsonProblem(JSON.parse('{"emoji":"\\ud83d\\ude00"}'))).toBeUndefined();
  });

  it('honours a smaller limit', () => {
    expect(findJsonProblem({ a: { b: 1 } }, 1)?.path).toBe('a');
    expect(findJsonProblem({ a: 1 }, 1)).toBeUndefined();
  });

  it('says it as one sentence', () => {
    expect(
      describeJsonProblem({ path: 'data.x', message: 'contains a NUL character' }, 'the body'),
    ).toBe('the body at data.x contains a NUL character');
    expect(describeJsonProblem({ path: '', message: 'nests deeper' }, 'the body')).toBe(
      'the body nests deeper',
    );
  });
});
