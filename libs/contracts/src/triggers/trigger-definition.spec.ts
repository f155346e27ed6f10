import { SOURCE_KIND_NAMES } from '../registry/lookups';
import { INLINE_SECRET_MESSAGE } from '../strict';
import { problemsOf } from '../spec-helpers';
import { inlineSourceDefinitions, TriggerDefinitionSchema } from './trigger-definition';

const localTarget = { type: 'local', workflow: 'echo' };
const trigger = (extra: Record<string, unknown> = {}) => ({
  kind: 'trigger',
  id: 'on-push',
  sources: ['github'],
  target: localTarget,
  ...extra,
});

const DEFAULT_RETRY = {
  maxAttempts: 3,
  backoff: { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.2 },
};

describe('TriggerDefinitionSchema', () => {
  it('applies defaults to a minimal trigger', () => {
    expect(TriggerDefinitionSchema.parse(trigger())).toEqual({
      kind: 'trigger',
      id: 'on-push',
      owner: 'default',
      enabled: true,
      sources: ['github'],
      target: { type: 'local', workflow: 'echo', timeoutMs: 30_000 },
      retry: DEFAULT_RETRY,
    });
  });

  it('accepts every option', () => {
    const full = {
      kind: 'trigger',
      id: 'deploy',
      owner: 'platform',
      enabled: false,
      description: 'Deploy on push to main',
      version: 7,
      sources: ['github'],
      eventTypes: ['com.example.deploy.requested'],
      condition: "event.data.ref == 'refs/heads/main'",
      match: {
        type: 'github.push',
        'data.repository.private': false,
        'data.sender.login': ['alice', 'bob'],
        'data.size': { gte: 1, lt: 100 },
        'data.ref': { prefix: 'refs/heads/' },
        'data.deleted': { exists: false },
      },
      dedupe: { key: 'event.data.after', window: '1h30m' },
      batch: { size: 10, timeout: '30s', key: 'event.data.repository.id' },
      concurrency: {
        allowConcurrent: true,
        key: 'event.data.repository.id',
        onBusy: 'queue',
        max: 2,
      },
      target: {
        type: 'http',
        url: 'https://ci.example.com/deploy',
        method: 'PUT',
        headers: { Authorization: { secretRef: 'ci-token' }, 'X-Source': 'flint' },
        timeoutMs: 5000,
        successCodes: [200, 202],
      },
      input: { commit: 'event.data.after', repository: 'event.data.repository.full_name' },
      retry: {
        maxAttempts: 5,
        backoff: { initialMs: 500, maxMs: 10_000, multiplier: 3, jitter: 0 },
      },
    };
    expect(TriggerDefinitionSchema.parse(full)).toEqual(full);
  });

  describe('sources and event types', () => {
    it('accepts event types alone', () => {
      const parsed = TriggerDefinitionSchema.parse({
        kind: 'trigger',
        id: 'on-order',
        eventTypes: ['com.example.order.created'],
        target: localTarget,
      });
      expect(parsed.eventTypes).toEqual(['com.example.order.created']);
      expect(parsed.sources).toBeUndefined();
    });

    it('needs sources or event types', () => {
      expect(problemsOf(TriggerDefinitionSchema, trigger({ sources: undefined }))).toEqual([
        {
          path: 'sources',
          message:
            'a trigger needs "sources", "eventTypes" or both to know which events it listens to',
        },
      ]);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ sources: [] }))).toEqual([
        {
          path: 'sources',
          message: 'must list at least one source; leave it out to listen by eventTypes only',
        },
      ]);
    });

    it('derives the id and owner of inline sources from the trigger', () => {
      const parsed = TriggerDefinitionSchema.parse(
        trigger({
          owner: 'ops',
          sources: [
            { provider: 'cron', config: { schedule: '0 * * * *' } },
            'github',
            { id: 'named', owner: 'other', provider: 'event', config: { types: ['a.b'] } },
            { provider: 'file', config: { directory: '/in' } },
          ],
        }),
      );
      expect(parsed.sources).toEqual([
        {
          id: 'on-push-source',
          owner: 'ops',
          enabled: true,
          provider: 'cron',
          config: { schedule: '0 * * * *', timezone: 'UTC', misfire: 'skip' },
        },
        'github',
        {
          id: 'named',
          owner: 'other',
          enabled: true,
          provider: 'event',
          config: { types: ['a.b'] },
        },
        {
          id: 'on-push-source-4',
          owner: 'ops',
          enabled: true,
          provider: 'file',
          config: {
            directory: '/in',
            pattern: '**/*',
            events: ['created'],
            stableForMs: 1000,
            recursive: true,
          },
        },
      ]);
      expect(inlineSourceDefinitions(parsed).map((source) => [source.kind, source.id])).toEqual([
        ['source', 'on-push-source'],
        ['source', 'named'],
        ['source', 'on-push-source-4'],
      ]);
    });

    it('reports problems inside inline sources with their position', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({
            sources: [
              'GitHub',
              { provider: 'cron', config: { schedule: 'every minute' } },
              { provider: 'smtp', config: {} },
              { kind: 'source', provider: 'event', config: { types: ['a'] } },
            ],
          }),
        ),
      ).toEqual([
        {
          path: 'sources[0]',
          message:
            'must be a lowercase slug of at most 63 characters: a-z, 0-9 and "-", starting and ending with a letter or digit (like "github-push")',
        },
        {
          path: 'sources[1].config.schedule',
          message:
            'must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); found 2',
        },
        {
          path: 'sources[2].provider',
          message: `unknown provider "smtp"; expected one of: ${SOURCE_KIND_NAMES.join(', ')}`,
        },
        {
          path: 'sources[3].kind',
          message:
            'unknown key "kind"; allowed keys: id, owner, enabled, description, version, provider, config',
        },
      ]);
    });

    it('rejects a source listed twice', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ sources: [{ provider: 'event', config: { types: ['a'] } }, 'on-push-source'] }),
        ),
      ).toEqual([{ path: 'sources[1]', message: 'source "on-push-source" is listed twice' }]);
      expect(
        problemsOf(TriggerDefinitionSchema, trigger({ sources: ['github', 'github'] })),
      ).toEqual([{ path: 'sources[1]', message: 'source "github" is listed twice' }]);
    });

    it('rejects malformed or repeated event types', () => {
      expect(
        problemsOf(TriggerDefinitionSchema, trigger({ sources: undefined, eventTypes: ['a b'] })),
      ).toEqual([
        {
          path: 'eventTypes[0]',
          message:
            'must be an event type: letters, digits, ".", "_", ":", "/" or "-" (like "com.example.order.created")',
        },
      ]);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ eventTypes: ['a', 'a'] }))).toEqual([
        { path: 'eventTypes', message: 'must not repeat an event type' },
      ]);
    });
  });

  describe('targets', () => {
    it('applies http defaults', () => {
      const parsed = TriggerDefinitionSchema.parse(
        trigger({ target: { type: 'http', url: 'http://localhost:9000/run' } }),
      );
      expect(parsed.target).toEqual({
        type: 'http',
        url: 'http://localhost:9000/run',
        method: 'POST',
        headers: {},
        timeoutMs: 10_000,
      });
    });

    it('accepts a kafka target', () => {
      const target = { type: 'kafka', topic: 'workflows.deploy', key: 'event.data.repository.id' };
      expect(TriggerDefinitionSchema.parse(trigger({ target })).target).toEqual(target);
    });

    it('accepts a cancel declaration on http and kafka targets, with defaults', () => {
      const http = TriggerDefinitionSchema.parse(
        trigger({
          target: {
            type: 'http',
            url: 'https://ci.example.com/jobs',
            cancel: { url: 'https://ci.example.com/jobs/{{runId}}/cancel' },
          },
        }),
      ).target;
      expect(http).toMatchObject({
        cancel: {
          url: 'https://ci.example.com/jobs/{{runId}}/cancel',
          method: 'POST',
          headers: {},
        },
      });
      const kafka = { type: 'kafka', topic: 'jobs', cancel: { topic: 'jobs.cancel' } };
      expect(TriggerDefinitionSchema.parse(trigger({ target: kafka })).target).toEqual(kafka);
    });

    it('reports an invalid cancel declaration with its path', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({
            target: {
              type: 'http',
              url: 'https://ci.example.com/jobs',
              cancel: { url: 'ftp://x', headers: { Authorization: { password: 'p' } } },
            },
          }),
        ),
      ).toEqual([
        { path: 'target.cancel.url', message: 'must be an http:// or https:// URL' },
        { path: 'target.cancel.headers.Authorization.secretRef', message: 'required' },
        { path: 'target.cancel.headers.Authorization.password', message: INLINE_SECRET_MESSAGE },
      ]);
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ target: { type: 'kafka', topic: 'jobs', cancel: { topic: 'a b', url: 'x' } } }),
        ),
      ).toEqual([
        {
          path: 'target.cancel.topic',
          message: 'must be a Kafka topic name: 1-249 letters, digits, ".", "_" or "-"',
        },
        { path: 'target.cancel.url', message: 'unknown key "url"; allowed keys: topic' },
      ]);
    });

    it('requires a target and names the valid types', () => {
      expect(problemsOf(TriggerDefinitionSchema, trigger({ target: undefined }))).toEqual([
        {
          path: 'target',
          message: 'required: the workflow to start, with type one of http, kafka, local',
        },
      ]);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ target: { type: 'grpc' } }))).toEqual([
        {
          path: 'target.type',
          message: 'unknown target type "grpc"; expected one of: http, kafka, local',
        },
      ]);
    });

    it('reports invalid http targets', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({
            target: {
              type: 'http',
              url: 'file:///etc/passwd',
              method: 'HEAD',
              headers: { 'Bad Header': 'x', Authorization: { password: 'hunter2' }, 'X-Count': 5 },
              timeoutMs: 0,
              successCodes: [200, 700],
            },
          }),
        ),
      ).toEqual([
        { path: 'target.url', message: 'must be an http:// or https:// URL' },
        { path: 'target.method', message: 'must be one of: POST, PUT, PATCH, GET, DELETE' },
        {
          path: 'target.headers["Bad Header"]',
          message: 'invalid key: must be an HTTP header name like "X-Request-Id"',
        },
        { path: 'target.headers.Authorization.secretRef', message: 'required' },
        { path: 'target.headers.Authorization.password', message: INLINE_SECRET_MESSAGE },
        {
          path: 'target.headers.X-Count',
          message: 'must be a string or { secretRef: <secret name> }',
        },
        { path: 'target.timeoutMs', message: 'must be at least 1' },
        { path: 'target.successCodes[1]', message: 'must be an HTTP status code (100-599)' },
      ]);
    });

    it('reports invalid kafka and local targets', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ target: { type: 'kafka', topic: 'has space', key: '' } }),
        ),
      ).toEqual([
        {
          path: 'target.topic',
          message: 'must be a Kafka topic name: 1-249 letters, digits, ".", "_" or "-"',
        },
        { path: 'target.key', message: 'must be a non-empty CEL expression' },
      ]);
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ target: { type: 'local', workflow: 'Echo Flow' } }),
        ),
      ).toEqual([
        {
          path: 'target.workflow',
          message:
            'must be a workflow name: a lowercase slug of at most 63 characters: a-z, 0-9 and "-", starting and ending with a letter or digit (like "deploy-service")',
        },
      ]);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ target: { type: 'local' } }))).toEqual([
        { path: 'target.workflow', message: 'required' },
      ]);
    });
  });

  describe('condition, match and input', () => {
    it('rejects an empty or oversized condition', () => {
      expect(problemsOf(TriggerDefinitionSchema, trigger({ condition: '   ' }))).toEqual([
        {
          path: 'condition',
          message: 'must be a non-empty CEL expression; leave it out to match every event',
        },
      ]);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ condition: 'x'.repeat(4097) }))).toEqual(
        [{ path: 'condition', message: 'must be at most 4096 characters' }],
      );
    });

    it('reports invalid match entries by their path', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({
            match: {
              'data..ref': 'x',
              'data.size': { gt: 1, between: [1, 2] },
              'data.label': {},
              'data.tags': [],
              'data.kind': [{ nested: true }],
            },
          }),
        ),
      ).toEqual([
        {
          path: 'match["data..ref"]',
          message: 'invalid key: must be a dotted path into the event like "type" or "data.ref"',
        },
        {
          path: 'match["data.size"].between',
          message: 'unknown key "between"; allowed keys: gt, gte, lt, lte, prefix, exists',
        },
        {
          path: 'match["data.label"]',
          message: 'must set at least one of: gt, gte, lt, lte, prefix, exists',
        },
        { path: 'match["data.tags"]', message: 'must list at least one value' },
        { path: 'match["data.kind"][0]', message: 'must be a string, number, boolean or null' },
      ]);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ match: {} }))).toEqual([
        { path: 'match', message: 'must have at least one entry' },
      ]);
    });

    it('accepts a single expression as input and rejects other shapes', () => {
      expect(TriggerDefinitionSchema.parse(trigger({ input: 'event.data' })).input).toBe(
        'event.data',
      );
      expect(problemsOf(TriggerDefinitionSchema, trigger({ input: ['event.data'] }))).toEqual([
        {
          path: 'input',
          message: 'must be a CEL expression or a map of input field to CEL expression',
        },
      ]);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ input: { body: '' } }))).toEqual([
        { path: 'input.body', message: 'must be a non-empty CEL expression' },
      ]);
    });

    it('takes numbers, booleans and null in an input map as they are', () => {
      const input = { commit: 'event.data.after', retries: 3, dryRun: false, note: null };
      expect(TriggerDefinitionSchema.parse(trigger({ input })).input).toEqual(input);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ input: { nested: { a: 1 } } }))).toEqual(
        [
          {
            path: 'input.nested',
            message:
              'must be a CEL expression (static text is a CEL string literal, like "\'main\'"), or a number, true, false or null taken as is',
          },
        ],
      );
    });
  });

  describe('dedupe, batch, concurrency and retry', () => {
    it('applies defaults', () => {
      const parsed = TriggerDefinitionSchema.parse(
        trigger({
          dedupe: {},
          batch: { size: 5 },
          concurrency: {},
          retry: { backoff: { maxMs: 5000 } },
        }),
      );
      expect(parsed).toMatchObject({
        dedupe: { window: '24h' },
        batch: { size: 5 },
        concurrency: { allowConcurrent: true, onBusy: 'skip' },
        retry: {
          maxAttempts: 3,
          backoff: { initialMs: 1000, maxMs: 5000, multiplier: 2, jitter: 0.2 },
        },
      });
    });

    it('reports a bad dedupe window and an empty batch', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ dedupe: { window: '1 day' }, batch: { key: 'event.subject' } }),
        ),
      ).toEqual([
        {
          path: 'dedupe.window',
          message:
            'must be a duration like "10s", "30m", "24h" or "1h30m" (units: ms, s, m, h, d) and longer than zero',
        },
        { path: 'batch', message: 'set "size", "timeout" or both' },
      ]);
    });

    it('takes a debounce with defaults, and refuses one that contradicts the rest', () => {
      expect(
        TriggerDefinitionSchema.parse(
          trigger({ debounce: { period: '30s', key: 'event.subject' } }),
        ).debounce,
      ).toEqual({ period: '30s', key: 'event.subject', deliver: 'last' });
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({
            debounce: { period: '5m', maxWait: '1m', deliver: 'some' },
            batch: { size: 2 },
          }),
        ),
      ).toEqual([
        {
          path: 'debounce.deliver',
          message:
            'must be "last" (the run gets the last event) or "all" (every event, as a batch)',
        },
      ]);
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ debounce: { period: '5m', maxWait: '1m' }, batch: { size: 2 } }),
        ),
      ).toEqual([
        {
          path: 'batch',
          message: 'cannot be combined with debounce; use debounce.deliver: all to get every event',
        },
        { path: 'debounce.maxWait', message: 'must be at least the period (5m)' },
      ]);
    });

    it('takes a rate limit, dropping by default, and not with batch or debounce', () => {
      expect(
        TriggerDefinitionSchema.parse(trigger({ rateLimit: { limit: 10, period: '1m' } }))
          .rateLimit,
      ).toEqual({ limit: 10, period: '1m', onExceed: 'drop' });
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ rateLimit: { limit: 0, period: '1m', onExceed: 'queue' } }),
        ).map((problem) => problem.path),
      ).toEqual(['rateLimit.limit', 'rateLimit.onExceed']);
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ rateLimit: { limit: 1, period: '1m' }, debounce: { period: '1s' } }),
        ),
      ).toEqual([
        {
          path: 'rateLimit',
          message:
            'cannot be combined with debounce yet; limit the runs of single events or compound matches',
        },
      ]);
    });

    it('takes an absence trigger over its own members, with the duration its form needs', () => {
      const parsed = TriggerDefinitionSchema.parse(
        trigger({
          eventTypes: ['shop.paid', 'shop.shipped'],
          expect: { after: 'shop.paid', missing: 'shop.shipped', within: '15m' },
        }),
      );
      expect(parsed.expect).toEqual({ after: 'shop.paid', missing: 'shop.shipped', within: '15m' });
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({
            eventTypes: ['shop.paid'],
            expect: { after: 'shop.paid', missing: 'shop.lost', for: '1m' },
          }),
        ),
      ).toEqual([
        {
          path: 'expect.missing',
          message: "must be one of the trigger's sources or event types: github, shop.paid",
        },
        {
          path: 'expect.within',
          message: 'required with "after": how long the missing event may take',
        },
        { path: 'expect.for', message: 'only applies without "after"; use "within"' },
      ]);
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ expect: { missing: 'github' }, batch: { size: 2 } }),
        ).map((problem) => problem.path),
      ).toEqual(['expect.for', 'batch']);
    });

    it('rejects contradicting concurrency settings', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ concurrency: { allowConcurrent: false, max: 3 } }),
        ),
      ).toEqual([
        {
          path: 'concurrency.max',
          message:
            'only applies when allowConcurrent is true (false already means one run at a time)',
        },
      ]);
      expect(
        problemsOf(TriggerDefinitionSchema, trigger({ concurrency: { onBusy: 'wait' } })),
      ).toEqual([{ path: 'concurrency.onBusy', message: 'must be "skip" or "queue"' }]);
    });

    it('takes a priority as a number in range or a CEL expression', () => {
      expect(TriggerDefinitionSchema.parse(trigger({ priority: -5 })).priority).toBe(-5);
      expect(
        TriggerDefinitionSchema.parse(trigger({ priority: 'event.data.level' })).priority,
      ).toBe('event.data.level');
      const refused =
        'must be a CEL expression giving a whole number, or a whole number from -100 to 100';
      const problems: [unknown, string][] = [
        [101, 'must be at most 100'],
        [2.5, refused],
        [true, refused],
        ['', 'must be a non-empty CEL expression'],
      ];
      for (const [priority, message] of problems) {
        expect(problemsOf(TriggerDefinitionSchema, trigger({ priority }))).toEqual([
          { path: 'priority', message },
        ]);
      }
    });

    it('takes a cancelOn with sources or event types, and says what is missing', () => {
      const cancelOn = {
        eventTypes: ['com.shop.order.cancelled'],
        condition: "event.data.reason != 'test'",
        match: 'event.data.order',
      };
      expect(TriggerDefinitionSchema.parse(trigger({ cancelOn })).cancelOn).toEqual(cancelOn);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ cancelOn: { match: 'x' } }))).toEqual([
        {
          path: 'cancelOn.sources',
          message: 'needs "sources", "eventTypes" or both to know which events cancel',
        },
      ]);
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ cancelOn: { sources: ['shop', 'shop'], when: 'x' } }),
        ).map((problem) => problem.path),
      ).toEqual(['cancelOn.sources', 'cancelOn.when']);
    });

    it('bounds the retry policy', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({
            retry: { maxAttempts: 101, backoff: { initialMs: 5000, maxMs: 1000, jitter: 2 } },
          }),
        ),
      ).toEqual([
        { path: 'retry.maxAttempts', message: 'must be between 1 and 100' },
        { path: 'retry.backoff.jitter', message: 'must be between 0 and 1' },
        { path: 'retry.backoff.maxMs', message: 'must be at least initialMs' },
      ]);
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ retry: { backoff: { initialMs: 5000, maxMs: 1000 } } }),
        ),
      ).toEqual([{ path: 'retry.backoff.maxMs', message: 'must be at least initialMs' }]);
    });
  });

  describe('compound triggers', () => {
    const compound = (extra: Record<string, unknown> = {}) =>
      trigger({
        sources: ['orders'],
        eventTypes: ['com.example.payment.received'],
        logic: 'all',
        within: '1h',
        ...extra,
      });

    it('accepts logic all with a window and a correlation key', () => {
      const parsed = TriggerDefinitionSchema.parse(compound({ correlate: 'event.data.orderId' }));
      expect(parsed).toMatchObject({
        logic: 'all',
        within: '1h',
        correlate: 'event.data.orderId',
      });
      expect(TriggerDefinitionSchema.parse(trigger({ logic: 'any' })).logic).toBe('any');
    });

    it('leaves logic out of a trigger that does not set it', () => {
      expect(TriggerDefinitionSchema.parse(trigger())).not.toHaveProperty('logic');
    });

    it('needs two members and a window for logic all', () => {
      expect(
        problemsOf(
          TriggerDefinitionSchema,
          trigger({ logic: 'all', eventTypes: undefined, within: undefined }),
        ),
      ).toEqual([
        { path: 'logic', message: '"all" needs at least two sources or event types to wait for' },
        {
          path: 'within',
          message: 'required when logic is "all": how long a partial match waits, like "1h"',
        },
      ]);
    });

    it('rejects compound options without logic all, an unknown logic and a batch', () => {
      expect(
        problemsOf(TriggerDefinitionSchema, trigger({ within: '1h', correlate: 'event.id' })),
      ).toEqual([
        {
          path: 'within',
          message: 'only applies when logic is "all", "sequence" or { atLeast: k }',
        },
        {
          path: 'correlate',
          message: 'only applies when logic is "all", "sequence" or { atLeast: k }',
        },
      ]);
      expect(problemsOf(TriggerDefinitionSchema, trigger({ logic: 'some' }))).toEqual([
        {
          path: 'logic',
          message:
            'must be "any" (every matching event fires), "all" (wait for an event from each), ' +
            '"sequence" (each in the listed order) or { atLeast: k } (any k of them)',
        },
      ]);
      expect(
        problemsOf(TriggerDefinitionSchema, compound({ logic: { atLeast: 3 } })).map(
          (problem) => problem.message,
        ),
      ).toEqual(['atLeast must be at most the number of sources and event types (2)']);
      expect(TriggerDefinitionSchema.parse(compound({ logic: 'sequence' })).logic).toBe('sequence');
      expect(problemsOf(TriggerDefinitionSchema, compound({ batch: { size: 2 } }))).toEqual([
        {
          path: 'batch',
          message: 'cannot be combined with logic "all"; a compound match starts one run',
        },
      ]);
      expect(problemsOf(TriggerDefinitionSchema, compound({ within: 'soon' }))[0]?.path).toBe(
        'within',
      );
    });
  });
});
