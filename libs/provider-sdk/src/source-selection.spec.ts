import type { StoredDefinition } from '@flint/contracts';
import type { SourceOf } from './provider';
import { selectSources, sourceFingerprint } from './source-selection';

const updatedAt = '2026-11-22T10:00:00.000Z';
const webhookConfig = (path: string) => ({
  path,
  methods: ['POST'],
  auth: { type: 'none' },
  eventType: 'flint.webhook.received',
  bodyLimitBytes: 1048576,
});

function source(id: string, provider: string, enabled = true): StoredDefinition {
  const config =
    provider === 'webhook'
      ? webhookConfig(id)
      : { schedule: '* * * * *', timezone: 'UTC', misfire: 'skip' };
  return {
    kind: 'source',
    id,
    owner: 'o',
    enabled,
    version: 1,
    updatedAt,
    provider,
    config,
  } as StoredDefinition;
}

function trigger(id: string, enabled: boolean, sources: unknown[]): StoredDefinition {
  return {
    kind: 'trigger',
    id,
    owner: 'o',
    enabled,
    version: 4,
    updatedAt,
    sources,
    target: { type: 'local', workflow: 'echo', timeoutMs: 1000 },
    retry: { maxAttempts: 1, backoff: { initialMs: 1, maxMs: 1, multiplier: 2, jitter: 0 } },
  } as StoredDefinition;
}

function map(...definitions: StoredDefinition[]) {
  return new Map(definitions.map((d) => [`${d.kind}:${d.id}`, d]));
}

const inline = (id: string, enabled = true) => ({
  id,
  owner: 'o',
  enabled,
  provider: 'webhook',
  config: webhookConfig(id),
});

describe('selectSources', () => {
  it('picks the enabled sources of the provider and the inline ones of enabled triggers', () => {
    const { sources, duplicates } = selectSources(
      map(
        source('hook', 'webhook'),
        source('off', 'webhook', false),
        source('tick', 'cron'),
        trigger('t1', true, ['hook', inline('t1-source'), inline('t1-off', false)]),
        trigger('t2', false, [inline('t2-source')]),
      ),
      'webhook',
    );
    expect([...sources.keys()].sort()).toEqual(['hook', 't1-source']);
    expect(sources.get('t1-source')).toMatchObject({
      kind: 'source',
      id: 't1-source',
      version: 4,
      updatedAt,
    });
    expect(duplicates).toEqual([]);
  });

  it('reports an id declared twice and keeps the standalone source', () => {
    const { sources, duplicates } = selectSources(
      map(source('hook', 'webhook'), trigger('t', true, [inline('hook')])),
      'webhook',
    );
    expect(sources.get('hook')?.version).toBe(1);
    expect(duplicates).toEqual(['hook']);
  });
});

describe('sourceFingerprint', () => {
  it('ignores version and change time only', () => {
    const a = source('hook', 'webhook') as SourceOf<'webhook'>;
    const b = { ...a, version: 9, updatedAt: '2027-01-01T00:00:00.000Z' };
    const c = { ...a, description: 'changed' };
    expect(sourceFingerprint(a)).toBe(sourceFingerprint(b));
    expect(sourceFingerprint(a)).not.toBe(sourceFingerprint(c));
  });
});
