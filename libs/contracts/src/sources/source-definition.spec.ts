import { SOURCE_KIND_NAMES } from '../registry/lookups';
import { INLINE_SECRET_MESSAGE } from '../strict';
import { problemsOf } from '../spec-helpers';
import { SourceDefinitionSchema } from './source-definition';

const source = (provider: string, config: unknown, extra: Record<string, unknown> = {}) => ({
  kind: 'source',
  id: 'my-source',
  provider,
  config,
  ...extra,
});

describe('SourceDefinitionSchema', () => {
  describe('common fields', () => {
    it('applies owner and enabled defaults', () => {
      const parsed = SourceDefinitionSchema.parse(source('event', { types: ['com.example.a'] }));
      expect(parsed).toEqual({
        kind: 'source',
        id: 'my-source',
        owner: 'default',
        enabled: true,
        provider: 'event',
        config: { types: ['com.example.a'] },
      });
    });

    it('rejects an id that is not a lowercase slug', () => {
      for (const id of ['My_Source', '-leading', 'trailing-', 'a'.repeat(64), '']) {
        expect(
          problemsOf(SourceDefinitionSchema, source('event', { types: ['a'] }, { id })),
        ).toEqual([
          {
            path: 'id',
            message:
              'must be a lowercase slug of at most 63 characters: a-z, 0-9 and "-", starting and ending with a letter or digit (like "github-push")',
          },
        ]);
      }
    });

    it('accepts a 63-character id and a version hint', () => {
      const id = 'a'.repeat(63);
      const parsed = SourceDefinitionSchema.parse(
        source('event', { types: ['a'] }, { id, version: 4 }),
      );
      expect(parsed).toMatchObject({ id, version: 4 });
    });

    it('names the valid providers when the provider is unknown or missing', () => {
      expect(problemsOf(SourceDefinitionSchema, source('ftp', {}))).toEqual([
        {
          path: 'provider',
          message: `unknown provider "ftp"; expected one of: ${SOURCE_KIND_NAMES.join(', ')}`,
        },
      ]);
      expect(problemsOf(SourceDefinitionSchema, { kind: 'source', id: 'x', config: {} })).toEqual([
        {
          path: 'provider',
          message: `required; expected one of: ${SOURCE_KIND_NAMES.join(', ')}`,
        },
      ]);
    });

    it('reports a misspelt key with the key it probably meant', () => {
      expect(
        problemsOf(SourceDefinitionSchema, source('event', { types: ['a'] }, { enabeld: false })),
      ).toEqual([{ path: 'enabeld', message: 'unknown key "enabeld"; did you mean "enabled"?' }]);
      expect(
        problemsOf(SourceDefinitionSchema, source('event', { types: ['a'], color: 1 })),
      ).toEqual([{ path: 'config.color', message: 'unknown key "color"; allowed keys: types' }]);
    });

    it('rejects wrong value types with readable messages', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('event', { types: ['a'] }, { enabled: 'yes', version: 0 }),
        ),
      ).toEqual([
        { path: 'enabled', message: 'must be true or false, not a string' },
        { path: 'version', message: 'must be 1 or more' },
      ]);
      expect(problemsOf(SourceDefinitionSchema, 'a string')).toEqual([
        { path: '', message: 'must be an object, not a string' },
      ]);
    });

    it('rejects a trigger given to the source schema', () => {
      expect(
        problemsOf(SourceDefinitionSchema, source('event', { types: ['a'] }, { kind: 'trigger' })),
      ).toEqual([{ path: 'kind', message: 'must be "source"' }]);
    });
  });

  describe('webhook', () => {
    it('applies the defaults of a minimal endpoint', () => {
      const parsed = SourceDefinitionSchema.parse(
        source('webhook', { path: 'demo', auth: { type: 'none' } }),
      );
      expect(parsed.config).toEqual({
        path: 'demo',
        methods: ['POST'],
        auth: { type: 'none' },
        eventType: 'flint.webhook.received',
        bodyLimitBytes: 1024 * 1024,
      });
    });

    it('accepts every auth type and fills their defaults', () => {
      const auths = [
        [
          { type: 'hmac-sha256', secretRef: 'gh' },
          {
            type: 'hmac-sha256',
            secretRef: 'gh',
            header: 'X-Hub-Signature-256',
            prefix: 'sha256=',
          },
        ],
        [
          { type: 'stripe', secretRef: 'stripe-signing' },
          { type: 'stripe', secretRef: 'stripe-signing', toleranceSeconds: 300 },
        ],
        [
          { type: 'bearer', secretRef: 'pagerduty' },
          { type: 'bearer', secretRef: 'pagerduty' },
        ],
        [
          { type: 'api-key', secretRef: 'k', header: 'X-API-Key' },
          { type: 'api-key', secretRef: 'k', header: 'X-API-Key' },
        ],
      ];
      for (const [auth, expected] of auths) {
        const parsed = SourceDefinitionSchema.parse(source('webhook', { path: 'in', auth }));
        expect(parsed.provider === 'webhook' && parsed.config.auth).toEqual(expected);
      }
    });

    it('accepts the full configuration', () => {
      const config = {
        path: 'github/org-a',
        methods: ['POST', 'PUT'],
        auth: { type: 'hmac-sha256', secretRef: 'gh', header: 'X-Signature', prefix: '' },
        eventId: { header: 'X-GitHub-Delivery' },
        eventType: { header: 'X-GitHub-Event', prefix: 'github.' },
        bodyLimitBytes: 2048,
        rateLimit: { perSecond: 5, burst: 10 },
        jsonSchema: { type: 'object' },
      };
      const parsed = SourceDefinitionSchema.parse(source('webhook', config));
      expect(parsed.config).toEqual({
        ...config,
        eventType: {
          header: 'X-GitHub-Event',
          prefix: 'github.',
          fallback: 'flint.webhook.received',
        },
      });
    });

    it('requires auth and says how to run an open endpoint', () => {
      expect(problemsOf(SourceDefinitionSchema, source('webhook', { path: 'demo' }))).toEqual([
        {
          path: 'config.auth',
          message:
            'required: one of hmac-sha256, hmac, stripe, standard-webhooks, slack, meta, bearer, api-key, none; write { type: none } to accept calls without authentication',
        },
      ]);
    });

    it('names the valid auth types', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('webhook', { path: 'x', auth: { type: 'basic' } }),
        ),
      ).toEqual([
        {
          path: 'config.auth.type',
          message:
            'unknown auth type "basic"; expected one of: hmac-sha256, hmac, stripe, standard-webhooks, slack, meta, bearer, api-key, none',
        },
      ]);
    });

    it('rejects an inline secret and asks for a secretRef', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('webhook', { path: 'x', auth: { type: 'hmac-sha256', secret: 's3cr3t' } }),
        ),
      ).toEqual([
        { path: 'config.auth.secretRef', message: 'required' },
        { path: 'config.auth.secret', message: INLINE_SECRET_MESSAGE },
      ]);
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('webhook', { path: 'x', auth: { type: 'bearer', secretRef: 'b', token: 'abc' } }),
        ),
      ).toEqual([{ path: 'config.auth.token', message: INLINE_SECRET_MESSAGE }]);
      expect(INLINE_SECRET_MESSAGE).toBe(
        'inline secrets are not allowed: store the value as a secret and reference it by name with "secretRef"',
      );
    });

    it('requires the header of api-key auth', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('webhook', { path: 'x', auth: { type: 'api-key', secretRef: 'k' } }),
        ),
      ).toEqual([{ path: 'config.auth.header', message: 'required' }]);
    });

    it('rejects a path with the /hooks/ prefix or a leading slash', () => {
      for (const path of ['/hooks/demo', '/demo', 'Demo', 'a//b', 'demo/']) {
        expect(
          problemsOf(SourceDefinitionSchema, source('webhook', { path, auth: { type: 'none' } })),
        ).toEqual([
          {
            path: 'config.path',
            message:
              'must be the path under /hooks/ without slashes around it: lowercase segments of a-z, 0-9, "-" and "_" separated by "/" (like "github" or "github/org-a")',
          },
        ]);
      }
    });

    it('rejects unsupported or repeated methods', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('webhook', { path: 'x', auth: { type: 'none' }, methods: ['DELETE'] }),
        ),
      ).toEqual([{ path: 'config.methods[0]', message: 'must be one of: POST, PUT, GET' }]);
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('webhook', { path: 'x', auth: { type: 'none' }, methods: ['POST', 'POST'] }),
        ),
      ).toEqual([{ path: 'config.methods', message: 'must not repeat a method' }]);
    });

    it('needs exactly one place for the event id', () => {
      const both = { header: 'X-Id', bodyField: 'id' };
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('webhook', { path: 'x', auth: { type: 'none' }, eventId: both }),
        ),
      ).toEqual([
        { path: 'config.eventId', message: 'set exactly one of "header" or "bodyField"' },
      ]);
    });

    it('bounds the body limit and checks the rate limit', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('webhook', {
            path: 'x',
            auth: { type: 'none' },
            bodyLimitBytes: 64 * 1024 * 1024,
            rateLimit: { perSecond: 0 },
          }),
        ),
      ).toEqual([
        { path: 'config.bodyLimitBytes', message: 'must be at most 16777216 (16 MiB)' },
        { path: 'config.rateLimit.perSecond', message: 'must be greater than 0' },
        { path: 'config.rateLimit.burst', message: 'required' },
      ]);
    });
  });

  describe('poller', () => {
    const minimal = {
      url: 'https://api.example.com/items',
      intervalSeconds: 60,
      itemKey: 'item.id',
    };

    it('applies defaults', () => {
      expect(SourceDefinitionSchema.parse(source('poller', minimal)).config).toEqual({
        ...minimal,
        method: 'GET',
        headers: {},
        jitterSeconds: 0,
        itemsPath: '$',
        timeoutMs: 10_000,
      });
    });

    it('accepts secret headers, a POST body and both cursor kinds', () => {
      for (const cursor of [
        { from: 'max-field', field: 'item.updated_at', param: 'since' },
        { from: 'next-page-token', path: '$.next', param: 'page_token' },
      ]) {
        const config = {
          ...minimal,
          method: 'POST',
          body: { query: '{ items { id } }' },
          headers: { Authorization: { secretRef: 'api-token' }, Accept: 'application/json' },
          itemsPath: '$.data.items',
          jitterSeconds: 5,
          cursor,
          timeoutMs: 5000,
        };
        expect(SourceDefinitionSchema.parse(source('poller', config)).config).toEqual(config);
      }
    });

    it('reports each invalid field', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('poller', {
            url: 'ftp://example.com/x',
            intervalSeconds: 0,
            itemsPath: 'items',
            itemKey: ' ',
            method: 'DELETE',
          }),
        ),
      ).toEqual([
        { path: 'config.url', message: 'must be an http:// or https:// URL' },
        { path: 'config.method', message: 'must be GET or POST' },
        { path: 'config.intervalSeconds', message: 'must be at least 1' },
        {
          path: 'config.itemsPath',
          message: 'must be a JSONPath starting with "$" (like "$.items")',
        },
        { path: 'config.itemKey', message: 'must be a non-empty expression like "item.id"' },
      ]);
    });

    it('rejects jitter as long as the interval and a body on GET', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('poller', { ...minimal, jitterSeconds: 60, body: {} }),
        ),
      ).toEqual([
        { path: 'config.body', message: 'a body can only be sent with method POST' },
        { path: 'config.jitterSeconds', message: 'must be smaller than intervalSeconds' },
      ]);
    });

    it('names the valid cursor kinds', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('poller', { ...minimal, cursor: { from: 'offset' } }),
        ),
      ).toEqual([
        {
          path: 'config.cursor.from',
          message: 'unknown cursor kind "offset"; expected one of: max-field, next-page-token',
        },
      ]);
    });

    it('rejects an inline token in a header', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('poller', { ...minimal, headers: { Authorization: { token: 'abc' } } }),
        ),
      ).toEqual([
        { path: 'config.headers.Authorization.secretRef', message: 'required' },
        { path: 'config.headers.Authorization.token', message: INLINE_SECRET_MESSAGE },
      ]);
    });
  });

  describe('cron', () => {
    it('applies defaults', () => {
      expect(
        SourceDefinitionSchema.parse(source('cron', { schedule: '*/5 * * * *' })).config,
      ).toEqual({
        schedule: '*/5 * * * *',
        timezone: 'UTC',
        misfire: 'skip',
      });
    });

    it('accepts 6-field schedules, names, time zones and catch-up', () => {
      const config = {
        schedule: '0 30 9 ? JAN-MAR MON-FRI',
        timezone: 'Europe/Berlin',
        misfire: 'catch-up',
        maxCatchUp: 10,
        payload: { report: 'daily' },
      };
      expect(SourceDefinitionSchema.parse(source('cron', config)).config).toEqual(config);
    });

    it('checks the field count and characters of the schedule', () => {
      expect(problemsOf(SourceDefinitionSchema, source('cron', { schedule: '* * * *' }))).toEqual([
        {
          path: 'config.schedule',
          message:
            'must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); found 4',
        },
      ]);
      expect(
        problemsOf(SourceDefinitionSchema, source('cron', { schedule: '0 9 * * mon;' })),
      ).toEqual([
        {
          path: 'config.schedule',
          message:
            'field 5 ("mon;") may only contain digits, "*", ",", "-", "/", "?", "L", "W", "#" and month or weekday names',
        },
      ]);
    });

    it('rejects an unknown time zone, an unknown misfire policy and maxCatchUp without catch-up', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('cron', { schedule: '* * * * *', timezone: 'Mars/Olympus', misfire: 'run-all' }),
        ),
      ).toEqual([
        {
          path: 'config.timezone',
          message:
            'unknown time zone "Mars/Olympus"; use an IANA name like "Europe/Berlin" or "UTC"',
        },
        { path: 'config.misfire', message: 'must be "skip", "fire-once" or "catch-up"' },
      ]);
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('cron', { schedule: '* * * * *', maxCatchUp: 3 }),
        ),
      ).toEqual([
        { path: 'config.maxCatchUp', message: 'only applies when misfire is "catch-up"' },
      ]);
    });
  });

  describe('file', () => {
    it('applies defaults', () => {
      expect(
        SourceDefinitionSchema.parse(source('file', { directory: '/data/in' })).config,
      ).toEqual({
        directory: '/data/in',
        pattern: '**/*',
        events: ['created'],
        stableForMs: 1000,
        recursive: true,
      });
    });

    it('reports bad events, an empty directory and a negative stability time', () => {
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('file', { directory: '', events: ['renamed'], stableForMs: -1 }),
        ),
      ).toEqual([
        { path: 'config.directory', message: 'must not be empty' },
        { path: 'config.events[0]', message: 'must be one of: created, modified, deleted' },
        { path: 'config.stableForMs', message: 'must be 0 or more' },
      ]);
      expect(
        problemsOf(SourceDefinitionSchema, source('file', { directory: '/x', events: [] })),
      ).toEqual([
        { path: 'config.events', message: 'must list at least one of: created, modified, deleted' },
      ]);
    });
  });

  describe('event', () => {
    it('accepts custom event types', () => {
      const config = { types: ['com.example.order.created', 'billing/invoice:paid'] };
      expect(SourceDefinitionSchema.parse(source('event', config)).config).toEqual(config);
    });

    it('needs at least one well-formed type', () => {
      expect(problemsOf(SourceDefinitionSchema, source('event', { types: [] }))).toEqual([
        { path: 'config.types', message: 'must list at least one event type' },
      ]);
      expect(
        problemsOf(SourceDefinitionSchema, source('event', { types: ['order created'] })),
      ).toEqual([
        {
          path: 'config.types[0]',
          message:
            'must be an event type: letters, digits, ".", "_", ":", "/" or "-" (like "com.example.order.created")',
        },
      ]);
      expect(problemsOf(SourceDefinitionSchema, source('event', {}))).toEqual([
        { path: 'config.types', message: 'required' },
      ]);
    });
  });

  describe('run-status', () => {
    it('accepts a chaining filter', () => {
      const config = {
        triggers: ['nightly-import'],
        workflows: ['import'],
        statuses: ['FAILED'],
        errorTypes: ['TimeoutError'],
      };
      expect(SourceDefinitionSchema.parse(source('run-status', config)).config).toEqual(config);
    });

    it('only chains on final statuses and filters error types of failures', () => {
      expect(
        problemsOf(SourceDefinitionSchema, source('run-status', { statuses: ['STARTED'] })),
      ).toEqual([
        {
          path: 'config.statuses[0]',
          message: 'must be one of: SUCCEEDED, FAILED, SKIPPED, CANCELLED',
        },
      ]);
      expect(problemsOf(SourceDefinitionSchema, source('run-status', { statuses: [] }))).toEqual([
        {
          path: 'config.statuses',
          message: 'must list at least one of: SUCCEEDED, FAILED, SKIPPED',
        },
      ]);
      expect(
        problemsOf(
          SourceDefinitionSchema,
          source('run-status', { statuses: ['SUCCEEDED'], errorTypes: ['TimeoutError'] }),
        ),
      ).toEqual([
        { path: 'config.errorTypes', message: 'only applies when statuses include FAILED' },
      ]);
    });
  });
});
