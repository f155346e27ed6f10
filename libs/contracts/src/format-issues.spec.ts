import { z } from 'zod';
import { formatIssuePath, formatZodIssues } from './format-issues';
import { problemsOf } from './spec-helpers';
import { INLINE_SECRET_MESSAGE, strictObject } from './strict';

describe('formatIssuePath', () => {
  it('writes keys with dots, indices in brackets and odd keys quoted', () => {
    expect(formatIssuePath([])).toBe('');
    expect(formatIssuePath(['config', 'auth', 'secretRef'])).toBe('config.auth.secretRef');
    expect(formatIssuePath(['sources', 0, 'config', 'schedule'])).toBe(
      'sources[0].config.schedule',
    );
    expect(formatIssuePath(['headers', 'X-Api-Key'])).toBe('headers.X-Api-Key');
    expect(formatIssuePath(['match', 'data.ref'])).toBe('match["data.ref"]');
    expect(formatIssuePath([0, 'id'])).toBe('[0].id');
  });
});

describe('formatZodIssues', () => {
  it('rephrases zod defaults and keeps messages written in the schemas', () => {
    const schema = z.object({
      name: z.string(),
      count: z.number().int().min(2).max(5),
      tags: z.array(z.string()).min(1),
      mode: z.enum(['a', 'b']),
      label: z.string().min(3, 'too short for a label'),
      at: z.iso.datetime(),
      home: z.url(),
    });
    expect(
      problemsOf(schema, {
        count: 7.5,
        tags: [],
        mode: 'c',
        label: 'x',
        at: 'noon',
        home: 'nowhere',
      }),
    ).toEqual([
      { path: 'name', message: 'required' },
      { path: 'count', message: 'must be a whole number, not a number' },
      { path: 'tags', message: 'must not be empty' },
      { path: 'mode', message: 'must be one of: a, b' },
      { path: 'label', message: 'too short for a label' },
      { path: 'at', message: 'must be an ISO 8601 date-time like "2024-05-01T12:00:00Z"' },
      { path: 'home', message: 'must be a URL' },
    ]);
    expect(problemsOf(z.number().max(5), 9)).toEqual([{ path: '', message: 'must be at most 5' }]);
    expect(problemsOf(z.string().max(2), 'abc')).toEqual([
      { path: '', message: 'must be at most 2 characters' },
    ]);
  });

  it('reports the problems of the union branch the input was meant for', () => {
    const schema = z.union([z.string(), strictObject({ secretRef: z.string() })]);
    expect(problemsOf(schema, { secretRef: 5 })).toEqual([
      { path: 'secretRef', message: 'must be a string, not a number' },
    ]);
    expect(problemsOf(schema, 5)).toEqual([{ path: '', message: 'must be a string or an object' }]);
  });

  it('puts each unknown key on its own path and flags inline secrets', () => {
    const schema = strictObject({ type: z.string(), header: z.string().optional() });
    expect(problemsOf(schema, { type: 'x', heder: 'X-Key' })).toEqual([
      { path: 'heder', message: 'unknown key "heder"; did you mean "header"?' },
    ]);
    expect(problemsOf(schema, { type: 'x', password: 'hunter2' })).toEqual([
      { path: 'password', message: INLINE_SECRET_MESSAGE },
    ]);
    expect(problemsOf(schema, { type: 'x', a: 1, api_key: 'k' })).toEqual([
      {
        path: '',
        message: `unknown key "a"; allowed keys: type, header; ${INLINE_SECRET_MESSAGE}`,
      },
    ]);
    expect(problemsOf(z.object({ a: z.string() }).strict(), { a: 'x', b: 1 })).toEqual([
      { path: 'b', message: 'unknown key "b"' },
    ]);
  });

  it('does not repeat the same problem twice', () => {
    const error = new z.ZodError([
      { code: 'custom', path: ['a'], message: 'bad', input: 1 },
      { code: 'custom', path: ['a'], message: 'bad', input: 1 },
    ]);
    expect(formatZodIssues(error)).toEqual([{ path: 'a', message: 'bad' }]);
  });
});
