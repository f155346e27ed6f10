import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SOURCE_STATUS_REPORT_INTERVAL_MS } from '@flint/store';
import { Evaluator } from '../../apps/evaluator/src/evaluator';
import { type LocalStack, applyExamples } from '../../apps/local-stack/src/local-stack';
import { waitFor } from '../support/kafka';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { type TracedStack, quietLogger, startTracedStack } from '../support/traced-stack';
import { readQuery } from '../deploy/support/promql';

/** OTLP's numbering of span kinds. */
const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
const GITHUB_SECRET = 'e2e-github-hmac-secret-value';
const BEARER_TOKEN = 'e2e-bearer-token-never-logged';
/** Webhook calls sent at once, to tell what costs the database per event from what does not. */
const BURST = 30;
/** `SourceStatusRepository.report`: BEGIN, DELETE, INSERT, COMMIT. */
const STATUS_REPORT_STATEMENTS = 4;
/** Per pass over a batch of events: the dedupe windows of the events that fire, the archive. */
const EVALUATOR_STATEMENTS_PER_PASS = 2;

/** Every Flint metric the alert rules and the Grafana dashboard query. */
function monitoredMetrics(): Set<string> {
  const root = join(__dirname, '..', '..');
  const alerts = readFileSync(join(root, 'deploy/prometheus/alerts.yml'), 'utf8');
  const dashboard = readFileSync(join(root, 'deploy/grafana/dashboards/flint.json'), 'utf8');
  const queries = [
    ...[...alerts.matchAll(/expr:\s*\|?\s*\n?([^\n]+(?:\n {10,}[^\n]+)*)/g)].map((m) => m[1]),
    ...[...dashboard.matchAll(/"expr":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) =>
      JSON.parse(`"${m[1]}"`),
    ),
  ];
  const names = new Set<string>();
  for (const query of queries) {
    for (const { metric } of readQuery(query.replace(/\$__rate_interval/g, '5m')).selectors) {
      if (/^(triggers|flint)_/.test(metric)) {
        names.add(metric.replace(/_(bucket|sum|count)$/, ''));
      }
    }
  }
  return names;
}

/**
 * The pipeline the way a user drives it: the example definitions applied through the API, one HTTP
 * call to the demo webhook, and then the echo workflow started once, one trace across webhook,
 * evaluator and runner at an OTLP endpoint, and the metrics users chart on each service's /metrics.
 */
describe('end to end: webhook event → evaluator → runner → local workflow', () => {
  let traced: TracedStack;
  let receiver: OtlpReceiver;
  let stack: LocalStack;
  let logs = '';

  beforeAll(async () => {
    traced = await startTracedStack(
      {
        FLINT_LOG_LEVEL: 'debug',
        FLINT_ADMIN_API_KEY: 'e2e-admin-key',
        FLINT_SECRET_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
        // The evaluator's timed writes wait past the test, so the statements it counts are its events'.
        FLINT_EVALUATOR_ACTIVITY_FLUSH_MS: '600000',
        FLINT_EVALUATOR_SWEEP_INTERVAL_MS: '3600000',
      },
      {
        logDestination: new Writable({
          write(chunk, _encoding, done) {
            logs += String(chunk);
            done();
          },
        }),
      },
    );
    ({ stack, receiver } = traced);
    await applyExamples(stack, 'examples', quietLogger);
    // The GitHub example ships disabled until its secret is stored (here: in the environment).
    const enabled = await fetch(`${stack.services.get('api')!.url}/api/sources/github/enable`, {
      method: 'POST',
      headers: { authorization: 'Bearer e2e-admin-key' },
    });
    expect(enabled.status).toBe(200);
  });

  afterAll(() => traced?.stop());

  /** A service's `flint_store_statements_total`: its own count, though the stack shares one store. */
  async function statements(service: 'webhook' | 'evaluator' | 'runner'): Promise<number> {
    const text = await (await fetch(`${stack.services.get(service)!.url}/metrics`)).text();
    return Number(/^flint_store_statements_total\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
  }

  it('starts the echo workflow once, traced end to end and counted', async () => {
    const webhook = stack.services.get('webhook')!.url;
    const payload = { hello: 'world', n: 42 };

    const accepted = await waitFor(
      async () => {
        const response = await fetch(`${webhook}/hooks/demo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        });
        return response.status === 202 ? ((await response.json()) as { eventId: string }) : null;
      },
      { timeoutMs: 90_000, description: 'the demo webhook to accept an event' },
    );
    expect(accepted.eventId).toEqual(expect.any(String));

    const store = stack.services.get('runner')!.runtime.store;
    const [run] = await waitFor(
      async () => {
        const rows = await store.query<{
          status: string;
          result: unknown;
          event_ids: string[];
          trace_id: string | null;
        }>(`SELECT status, result, event_ids, trace_id FROM runs WHERE trigger_id = 'demo-echo'`);
        return rows.length > 0 && rows[0].status === 'SUCCEEDED' ? rows : null;
      },
      { timeoutMs: 90_000, description: 'the demo-echo run to succeed' },
    );
    expect(run.event_ids).toEqual([accepted.eventId]);
    expect(JSON.stringify(run.result)).toContain('"hello":"world"');

    const spans = await waitFor(
      () => {
        const server = receiver.spans.find(
          (s) => s.serviceName === 'flint-webhook' && s.kind === SPAN_KIND.SERVER,
        );
        if (!server) return null;
        const trace = receiver.spans.filter((s) => s.traceId === server.traceId);
        const services = new Set(trace.map((s) => s.serviceName));
        return ['flint-webhook', 'flint-evaluator', 'flint-runner'].every((s) => services.has(s))
          ? trace
          : null;
      },
      { timeoutMs: 60_000, description: 'spans from webhook, evaluator and runner in one trace' },
    );
    // Each service's spans carry its own service.name, as deployed, though all run in one process.
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(
      new Set(['flint-webhook', 'flint-evaluator', 'flint-runner']),
    );
    const kinds = (service: string) =>
      spans.filter((s: ReceivedSpan) => s.serviceName === service).map((s) => s.kind);
    expect(kinds('flint-webhook')).toEqual(
      expect.arrayContaining([SPAN_KIND.SERVER, SPAN_KIND.PRODUCER]),
    );
    expect(kinds('flint-evaluator')).toContain(SPAN_KIND.CONSUMER);
    expect(kinds('flint-runner')).toContain(SPAN_KIND.INTERNAL);
    expect(run.trace_id).toBe(spans[0].traceId);

    const only = (service: string, kind: number) => {
      const found = spans.filter((s) => s.serviceName === service && s.kind === kind);
      expect(found).toHaveLength(1);
      return found[0];
    };
    const server = only('flint-webhook', SPAN_KIND.SERVER);
    const producer = only('flint-webhook', SPAN_KIND.PRODUCER);
    const consumer = spans.find(
      (s) =>
        s.serviceName === 'flint-evaluator' &&
        s.attributes['messaging.message.id'] === accepted.eventId,
    )!;
    expect(consumer.kind).toBe(SPAN_KIND.CONSUMER);
    // The messaging semantic conventions: `send <topic>` and `process <topic>` with their attributes.
    const eventsTopic = stack.services.get('webhook')!.runtime.topics.events;
    expect(producer).toMatchObject({
      name: `send ${eventsTopic}`,
      attributes: expect.objectContaining({
        'messaging.system': 'kafka',
        'messaging.operation.name': 'send',
        'messaging.destination.name': eventsTopic,
        'messaging.kafka.message.key': 'demo',
        'messaging.message.id': accepted.eventId,
      }),
    });
    expect(consumer).toMatchObject({
      name: `process ${eventsTopic}`,
      attributes: expect.objectContaining({
        'messaging.operation.name': 'process',
        'messaging.destination.name': eventsTopic,
        'messaging.consumer.group.name': expect.any(String),
        'messaging.kafka.offset': expect.any(Number),
        'messaging.kafka.message.key': 'demo',
      }),
    });
    const client = only('flint-runner', SPAN_KIND.INTERNAL);
    expect(server.parentSpanId).toBeUndefined();
    expect(producer.parentSpanId).toBe(server.spanId);
    expect(consumer.parentSpanId).toBe(producer.spanId);
    expect([producer.spanId, consumer.spanId]).toContain(client.parentSpanId);

    const metrics = async (service: 'webhook' | 'evaluator' | 'runner') =>
      (await fetch(`${stack.services.get(service)!.url}/metrics`)).text();
    expect(await metrics('webhook')).toMatch(
      /^triggers_events_received_total\{[^}]*provider="webhook"[^}]*\} 1$/m,
    );
    expect(await metrics('evaluator')).toMatch(
      /^triggers_events_filtered_total\{[^}]*result="matched"[^}]*\} 1$/m,
    );
    const runner = await metrics('runner');
    expect(runner).toMatch(/^triggers_runs_started_total\{[^}]*provider="webhook"[^}]*\} 1$/m);
    expect(runner).toMatch(/^triggers_latency_seconds_count\{[^}]*provider="webhook"[^}]*\} 1$/m);
  });

  it('costs the webhook and the evaluator no database statement per event, unlike the runner', async () => {
    const webhook = stack.services.get('webhook')!.url;
    const evaluator = stack.services.get('evaluator')!.app.get(Evaluator);
    const store = stack.services.get('runner')!.runtime.store;
    const succeeded = async () => {
      const [{ count }] = await store.query<{ count: string }>(
        `SELECT count(*) FROM runs WHERE trigger_id = 'demo-echo' AND status = 'SUCCEEDED'`,
      );
      return Number(count);
    };
    // The demo source is served once a GET is refused as a method it does not take.
    await waitFor(async () => (await fetch(`${webhook}/hooks/demo`)).status === 405, {
      timeoutMs: 90_000,
      description: 'the demo webhook to be served',
    });
    const succeededBefore = await succeeded();
    const before = {
      webhook: await statements('webhook'),
      evaluator: await statements('evaluator'),
      runner: await statements('runner'),
    };
    const started = Date.now();
    // The evaluator holds the burst's first pass until every call was answered, so the rest of the
    // burst reaches it in one fetch: a few passes whatever the burst's size.
    const evaluate = evaluator.process.bind(evaluator);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let passes = 0;
    let evaluated = 0;
    const spy = jest.spyOn(evaluator, 'process').mockImplementation(async (events) => {
      const burst = events.filter(({ event }) => event.flintsourceid === 'demo').length;
      if (burst > 0) {
        passes++;
        await held;
      }
      await evaluate(events);
      evaluated += burst;
    });
    try {
      const answered = await Promise.all(
        Array.from({ length: BURST }, async (_, n) => {
          const response = await fetch(`${webhook}/hooks/demo`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ burst: n }),
          });
          return response.status;
        }),
      );
      expect(answered).toEqual(Array(BURST).fill(202));
      // Besides its calls, the webhook reports its sources' statuses: every 10 s, and one report may
      // be on its way already.
      const reports = Math.floor((Date.now() - started) / SOURCE_STATUS_REPORT_INTERVAL_MS) + 2;
      expect((await statements('webhook')) - before.webhook).toBeLessThanOrEqual(
        STATUS_REPORT_STATEMENTS * reports,
      );
    } finally {
      release();
    }
    try {
      await waitFor(() => evaluated === BURST, {
        timeoutMs: 60_000,
        description: 'the evaluator to have evaluated the whole burst',
      });
    } finally {
      spy.mockRestore();
    }
    // One more for the archive's partition of a new day.
    expect((await statements('evaluator')) - before.evaluator).toBeLessThanOrEqual(
      EVALUATOR_STATEMENTS_PER_PASS * passes + 1,
    );
    await waitFor(async () => (await succeeded()) === succeededBefore + BURST, {
      timeoutMs: 90_000,
      description: "the burst's runs to succeed",
    });
    // The runner keeps its runs in the database: these counters did count in the meantime.
    expect((await statements('runner')) - before.runner).toBeGreaterThan(0);
  });

  it('serves every metric the alert rules and the dashboard query', async () => {
    const scraped = await Promise.all(
      [...stack.services.values()].map(async (s) => (await fetch(`${s.url}/metrics`)).text()),
    );
    const registered = new Set(
      scraped.flatMap((text) => [...text.matchAll(/^# HELP (\S+) \S/gm)].map((m) => m[1])),
    );
    const monitored = monitoredMetrics();
    expect(monitored.size).toBeGreaterThanOrEqual(4);
    expect([...monitored].filter((metric) => !registered.has(metric))).toEqual([]);
  });

  it('never writes a secret or credential to the logs', async () => {
    const webhook = stack.services.get('webhook')!.url;
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'abc123' });
    const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`;
    const signed = await fetch(`${webhook}/hooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'e2e-delivery-1',
        'x-hub-signature-256': signature,
        authorization: `Bearer ${BEARER_TOKEN}`,
      },
      body,
    });
    expect(signed.status).toBe(202);
    const forged = await fetch(`${webhook}/hooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' },
      body,
    });
    expect(forged.status).toBe(401);
    expect(JSON.stringify(await forged.json())).not.toContain(GITHUB_SECRET);

    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [GITHUB_SECRET, BEARER_TOKEN, signature, 'e2e-admin-key']) {
      expect(logs).not.toContain(secret);
    }
  });
});
