import { definitionKey, DefinitionSchema, StoredDefinitionSchema } from './definition';
import { problemsOf } from './spec-helpers';

const source = {
  kind: 'source',
  id: 'demo',
  provider: 'webhook',
  config: { path: 'demo', auth: { type: 'none' } },
};
const trigger = {
  kind: 'trigger',
  id: 'demo-echo',
  sources: ['demo'],
  target: { type: 'local', workflow: 'echo' },
};

describe('DefinitionSchema', () => {
  it('parses sources and triggers by kind', () => {
    expect(DefinitionSchema.parse(source)).toMatchObject({ kind: 'source', provider: 'webhook' });
    expect(DefinitionSchema.parse(trigger)).toMatchObject({
      kind: 'trigger',
      retry: { maxAttempts: 3 },
    });
  });

  it('names the valid kinds', () => {
    expect(problemsOf(DefinitionSchema, { ...source, kind: 'Source' })).toEqual([
      { path: 'kind', message: 'unknown kind "Source"; expected one of: source, trigger' },
    ]);
    expect(problemsOf(DefinitionSchema, { id: 'x' })).toEqual([
      { path: 'kind', message: 'required; expected one of: source, trigger' },
    ]);
  });

  it('reports problems of the chosen kind', () => {
    expect(
      problemsOf(DefinitionSchema, {
        ...trigger,
        target: { type: 'local', workflow: 'echo', retries: 2 },
      }),
    ).toEqual([
      {
        path: 'target.retries',
        message: 'unknown key "retries"; allowed keys: type, workflow, timeoutMs',
      },
    ]);
  });
});

describe('definitionKey', () => {
  it('is kind and id', () => {
    expect(definitionKey(DefinitionSchema.parse(source))).toBe('source:demo');
    expect(definitionKey(DefinitionSchema.parse(trigger))).toBe('trigger:demo-echo');
  });
});

describe('StoredDefinitionSchema', () => {
  const stored = { version: 3, updatedAt: '2024-05-01T12:00:00.000Z' };

  it('round-trips a stored definition through JSON', () => {
    for (const definition of [source, trigger]) {
      const parsed = StoredDefinitionSchema.parse({
        ...DefinitionSchema.parse(definition),
        ...stored,
      });
      expect(StoredDefinitionSchema.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
      expect(parsed).toMatchObject(stored);
    }
  });

  it('requires the version and the change time', () => {
    expect(problemsOf(StoredDefinitionSchema, trigger)).toEqual([
      { path: 'version', message: 'required' },
      { path: 'updatedAt', message: 'required' },
    ]);
    expect(
      problemsOf(StoredDefinitionSchema, { ...source, version: 1, updatedAt: 'yesterday' }),
    ).toEqual([
      { path: 'updatedAt', message: 'must be an ISO 8601 date-time like "2024-05-01T12:00:00Z"' },
    ]);
  });
});
