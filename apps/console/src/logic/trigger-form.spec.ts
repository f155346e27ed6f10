import { fromDefinition, newTriggerForm, toDefinition } from './trigger-form';
import { fromYaml, toComparableYaml, toYaml } from './yaml';

/** Every option of the trigger schema, as the contracts' own test writes it. */
const full = {
  kind: 'trigger',
  id: 'deploy',
  owner: 'platform',
  enabled: false,
  description: 'Deploy on push to main',
  version: 7,
  sources: ['github'],
  eventTypes: ['com.example.deploy.requested'],
  fromOwners: ['ops', 'security'],
  condition: "event.data.ref == 'refs/heads/main'",
  match: {
    type: 'github.push',
    'data.repository.private': false,
    'data.sender.login': ['alice', 'bob'],
    'data.size': { gte: 1, lt: 100 },
    'data.ref': { prefix: 'refs/heads/' },
    'data.deleted': { exists: false },
    'data.count': '42',
    'data.note': null,
  },
  dedupe: { key: 'event.data.after', window: '1h30m' },
  batch: { size: 10, timeout: '30s', key: 'event.data.repository.id' },
  concurrency: { allowConcurrent: true, key: 'event.data.repository.id', onBusy: 'queue', max: 2 },
  priority: "event.data.ref == 'refs/heads/main' ? 10 : 0",
  cancelOn: {
    sources: ['github'],
    eventTypes: ['com.example.deploy.cancelled'],
    condition: "event.data.reason != 'test'",
    match: 'event.data.repository.id',
  },
  target: {
    type: 'http',
    url: 'https://ci.example.com/deploy',
    method: 'PUT',
    headers: { Authorization: { secretRef: 'ci-token' }, 'X-Source': 'flint' },
    timeoutMs: 5000,
    successCodes: [200, 202],
    completion: 'callback',
    completionTimeout: '2h',
  },
  input: { commit: 'event.data.after', retries: 3, dryRun: false, note: null },
  retry: { maxAttempts: 5, backoff: { initialMs: 500, maxMs: 10_000, multiplier: 3, jitter: 0 } },
};

/** A compound trigger with inline sources and a kafka target, as the server stores it. */
const stored = {
  kind: 'trigger',
  id: 'pair',
  owner: 'ops',
  enabled: true,
  sources: [
    {
      id: 'pair-source',
      owner: 'ops',
      enabled: true,
      provider: 'cron',
      config: { schedule: '0 * * * *', timezone: 'UTC', misfire: 'skip' },
    },
    'orders',
  ],
  logic: 'all',
  within: '1h',
  correlate: 'event.data.orderId',
  fromOwners: 'any',
  priority: -5,
  cancelOn: { eventTypes: ['com.example.pair.cancelled'] },
  target: { type: 'kafka', topic: 'workflows.pair', key: 'event.id', completion: 'accepted' },
  input: "{'a': events['orders'].data}",
  retry: { maxAttempts: 3, backoff: { initialMs: 1000, maxMs: 60000, multiplier: 2, jitter: 0.2 } },
};

/** The newer options: debounce, rate limit, an absence expectation, compound logic. */
const paced = {
  id: 'paced',
  sources: ['orders', 'payments'],
  debounce: { period: '30s', key: 'event.data.orderId', maxWait: '5m', deliver: 'all' },
  rateLimit: { limit: 10, period: '1m', key: 'event.data.customer', onExceed: 'delay' },
  target: { type: 'local', workflow: 'echo' },
};
const absence = {
  id: 'unpaid',
  sources: ['orders', 'payments'],
  expect: { after: 'orders', missing: 'payments', within: '1h', key: 'event.data.orderId' },
  target: { type: 'local', workflow: 'echo' },
};
const sequence = {
  id: 'in-order',
  sources: ['a', 'b'],
  logic: 'sequence',
  within: '10m',
  target: { type: 'local', workflow: 'echo' },
};
const atLeast = {
  id: 'quorum',
  sources: ['a', 'b', 'c'],
  logic: { atLeast: 2 },
  within: '1h',
  correlate: 'event.data.id',
  target: { type: 'local', workflow: 'echo' },
};

describe('the builder form', () => {
  it.each([
    ['every option', full],
    ['debounce and rate limit', paced],
    ['an absence trigger', absence],
    ['a sequence', sequence],
    ['an at-least compound', atLeast],
    ['a silence expectation', { ...absence, expect: { missing: 'payments', for: '15m' } }],
    ['a stored compound trigger with inline sources', stored],
    [
      'a minimal draft',
      { id: 'x', eventTypes: ['a.b'], target: { type: 'local', workflow: 'echo' } },
    ],
    [
      'a draft with what the form has no field for',
      {
        id: 'y',
        debounce: { window: '5s' },
        cancelOn: { sources: ['a'], after: '1m' },
        target: { type: 'local', workflow: 'echo', priority: 3 },
      },
    ],
    [
      'a draft with values not valid yet',
      { id: 'z', batch: { size: '10x' }, target: { type: 'http', timeoutMs: 'soon' } },
    ],
    [
      'a draft whose newer keys have types the form cannot show',
      {
        id: 'w',
        fromOwners: 'everyone',
        priority: '7',
        cancelOn: 'never',
        target: { type: 'kafka', topic: 't' },
      },
    ],
  ])('gives %s back unchanged', (_name, definition) => {
    expect(toDefinition(fromDefinition(definition))).toEqual({ definition, problems: [] });
  });

  it('round-trips through YAML as well', () => {
    for (const definition of [full, stored]) {
      const parsed = fromYaml(toYaml(definition));
      expect(parsed).toEqual({ ok: true, value: definition });
      if (parsed.ok)
        expect(toDefinition(fromDefinition(parsed.value)).definition).toEqual(definition);
    }
  });

  it('writes YAML in reading order, with long conditions on one line', () => {
    const yaml = toYaml({
      target: { type: 'local', workflow: 'echo' },
      id: 'a',
      condition: `event.data.x == '${'y'.repeat(200)}'`,
      kind: 'trigger',
    });
    expect(yaml.split('\n').slice(0, 3)).toEqual([
      'kind: trigger',
      'id: a',
      expect.stringMatching(/^condition: event\.data\.x == 'y{200}'$/),
    ]);
  });

  it('says where YAML is broken, and refuses what is not a mapping', () => {
    expect(fromYaml('id: a\ntarget: [')).toMatchObject({ ok: false, line: 2 });
    expect(fromYaml('- a\n- b')).toEqual({
      ok: false,
      message: 'a trigger is a mapping of keys (id, sources, target, …)',
    });
  });

  it('maps what a person types in the form to the definition', () => {
    const form = newTriggerForm('shop');
    form.id = 'big-orders';
    form.sources = [{ kind: 'ref', id: 'orders' }];
    form.condition = 'event.data.total > 100';
    form.match = [
      { path: 'data.currency', mode: 'anyOf', values: 'EUR\nUSD\n', value: '', operators: [] },
      {
        path: 'data.total',
        mode: 'compare',
        value: '',
        values: '',
        operators: [
          { op: 'gte', value: '10' },
          { op: 'prefix', value: '42' },
        ],
      },
    ];
    form.input = {
      mode: 'fields',
      fields: [
        { name: 'order', kind: 'expression', value: 'event.data.id' },
        { name: 'priority', kind: 'value', value: '2' },
      ],
    };
    form.dedupe = { key: 'event.data.id', window: '', extra: {} };
    expect(toDefinition(form).definition).toEqual({
      kind: 'trigger',
      id: 'big-orders',
      owner: 'shop',
      enabled: true,
      sources: ['orders'],
      condition: 'event.data.total > 100',
      match: { 'data.currency': ['EUR', 'USD'], 'data.total': { gte: 10, prefix: '42' } },
      dedupe: { key: 'event.data.id' },
      target: { type: 'local', workflow: 'echo' },
      input: { order: 'event.data.id', priority: 2 },
    });
  });

  it('shows the newer options as fields, and writes what is typed in them', () => {
    expect(fromDefinition(atLeast)).toMatchObject({ logic: 'atLeast', atLeast: '2' });
    expect(fromDefinition(paced).rateLimit).toEqual({
      limit: '10',
      period: '1m',
      key: 'event.data.customer',
      onExceed: 'delay',
      extra: {},
    });
    expect(fromDefinition(absence).expect).toMatchObject({ after: 'orders', missing: 'payments' });

    const form = newTriggerForm('shop');
    form.id = 'quorum';
    form.logic = 'atLeast';
    form.atLeast = '3';
    form.debounce = { period: '10s', key: '', maxWait: '', deliver: '', extra: {} };
    form.rateLimit = { limit: '5', period: '1m', key: '', onExceed: '', extra: {} };
    form.expect = { after: '', missing: 'heartbeat', within: '', for: '5m', key: '', extra: {} };
    expect(toDefinition(form).definition).toMatchObject({
      logic: { atLeast: 3 },
      debounce: { period: '10s' },
      rateLimit: { limit: 5, period: '1m' },
      expect: { missing: 'heartbeat', for: '5m' },
    });
    form.logic = 'sequence';
    form.rateLimit.limit = 'lots';
    expect(toDefinition(form).definition).toMatchObject({
      logic: 'sequence',
      rateLimit: { limit: 'lots' },
    });
  });

  it('maps priority, cancelOn, fromOwners and a callback completion both ways', () => {
    expect(fromDefinition(full)).toMatchObject({
      fromOwners: ['ops', 'security'],
      priority: "event.data.ref == 'refs/heads/main' ? 10 : 0",
      cancelOn: {
        sources: ['github'],
        eventTypes: ['com.example.deploy.cancelled'],
        condition: "event.data.reason != 'test'",
        match: 'event.data.repository.id',
        extra: {},
      },
      target: { completion: 'callback', completionTimeout: '2h' },
    });
    expect(fromDefinition(stored)).toMatchObject({ fromOwners: 'any', priority: '-5' });

    const form = newTriggerForm('shop');
    form.id = 'deploy';
    form.eventTypes = ['com.example.deploy'];
    form.priority = '3';
    form.cancelOn = {
      eventTypes: ['com.example.deploy.cancelled'],
      condition: '',
      match: '',
      extra: {},
    };
    form.target = {
      ...form.target,
      type: 'http',
      url: 'https://ci.example.com',
      completion: 'callback',
      completionTimeout: '30m',
    };
    expect(toDefinition(form).definition).toMatchObject({
      priority: 3,
      cancelOn: { eventTypes: ['com.example.deploy.cancelled'] },
      target: { type: 'http', completion: 'callback', completionTimeout: '30m' },
    });
    form.priority = 'event.data.level';
    form.fromOwners = 'any';
    expect(toDefinition(form).definition).toMatchObject({
      priority: 'event.data.level',
      fromOwners: 'any',
    });
    // A local workflow always reports its own outcome: completion is not one of its fields.
    form.target.type = 'local';
    form.target.workflow = 'echo';
    expect(toDefinition(form).definition.target).toEqual({ type: 'local', workflow: 'echo' });
    form.priority = '';
    delete form.cancelOn;
    expect(toDefinition(form).definition).not.toHaveProperty('priority');
    expect(toDefinition(form).definition).not.toHaveProperty('cancelOn');
  });

  it('keeps only the chosen target type’s fields', () => {
    const form = fromDefinition(full);
    form.target.type = 'local';
    form.target.workflow = 'echo';
    expect(toDefinition(form).definition.target).toEqual({
      type: 'local',
      workflow: 'echo',
      timeoutMs: 5000,
    });
  });

  it('reports an inline source config that is not YAML, keeping the text', () => {
    const form = fromDefinition(stored);
    const row = form.sources[0];
    if (row?.kind !== 'inline') throw new Error('expected an inline source');
    row.config = 'schedule: [';
    const { definition, problems } = toDefinition(form);
    expect(problems).toEqual([
      { path: 'sources[0].config', message: expect.stringMatching(/^not valid YAML/) },
    ]);
    expect((definition.sources as Array<Record<string, unknown>>)[0]?.config).toBe('schedule: [');
  });
});

describe('toComparableYaml', () => {
  it('orders nested keys, so a diff shows changes, not key order', () => {
    const a = { id: 'x', retry: { backoff: { maxMs: 1, initialMs: 1 }, maxAttempts: 3 } };
    const b = { retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 1 } }, id: 'x' };
    expect(toComparableYaml(a)).toBe(toComparableYaml(b));
  });
});
