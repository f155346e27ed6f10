import { FlintApiClient } from '../../apps/cli/src/api-client';
import { waitFor } from '../support/kafka';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { type TracedStack, startTracedStack } from '../support/traced-stack';

const ADMIN_KEY = 'custom-event-admin-key';
const SPAN_KIND_PRODUCER = 4;

interface RunPage {
  items: Array<{ runId: string; status: string; traceId?: string; eventIds: string[] }>;
}

/**
 * A custom event posted to the API starts a run through the whole pipeline, and the history API
 * tells the story: the run with the event's trace, the trigger's counts, the source's recent events.
 */
describe('end to end: a custom event from the API starts a run', () => {
  let traced: TracedStack;
  let receiver: OtlpReceiver;
  let client: FlintApiClient;

  beforeAll(async () => {
    traced = await startTracedStack({
      FLINT_ADMIN_API_KEY: ADMIN_KEY,
      FLINT_EVALUATOR_ACTIVITY_FLUSH_MS: '200',
    });
    receiver = traced.receiver;
    client = new FlintApiClient(traced.stack.services.get('api')!.url, ADMIN_KEY);
    await client.request('PUT', '/api/definitions', {
      definitions: [
        {
          kind: 'source',
          id: 'orders',
          owner: 'shop',
          provider: 'event',
          config: { types: ['com.example.order.created'] },
        },
        {
          kind: 'trigger',
          id: 'on-order',
          owner: 'shop',
          sources: ['orders'],
          condition: 'event.data.total > 100',
          target: { type: 'local', workflow: 'echo' },
          input: { order: 'event.data.orderId' },
        },
      ],
    });
  });

  afterAll(() => traced?.stop());

  it('runs the trigger once, and history shows the run, its trace, the counts and the event', async () => {
    // Until the evaluator has the trigger, an event would be evaluated against nothing: post small
    // events (which the condition drops) until one is counted, then the one that fires.
    await waitFor(
      async () => {
        await client.request('POST', '/api/events', {
          type: 'com.example.order.created',
          owner: 'shop',
          data: { orderId: 0, total: 1 },
        });
        const stats = (await client.request('GET', '/api/triggers/on-order/stats')) as {
          totals: { dropped: number };
        };
        return stats.totals.dropped > 0;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        description: 'the evaluator to count a dropped event',
      },
    );

    const { eventId } = (await client.request('POST', '/api/events', {
      type: 'com.example.order.created',
      owner: 'shop',
      id: 'order-42',
      data: { orderId: 42, total: 250 },
    })) as { eventId: string };
    expect(eventId).toBe('order-42');

    const run = await waitFor(
      async () => {
        const page = (await client.request('GET', '/api/runs?trigger=on-order')) as RunPage;
        return page.items.find((r) => r.status === 'SUCCEEDED') ?? null;
      },
      { timeoutMs: 90_000, description: 'the on-order run to succeed' },
    );
    expect(run.eventIds).toEqual(['order-42']);

    // The trace the API started for the event is the run's trace.
    const published = await waitFor(
      () =>
        receiver.spans.find(
          (s) =>
            s.serviceName === 'flint-api' &&
            s.kind === SPAN_KIND_PRODUCER &&
            s.attributes['messaging.message.id'] === 'order-42',
        ) ?? null,
      { timeoutMs: 60_000, description: 'the API span that published the event' },
    );
    expect(run.traceId).toBe(published.traceId);
    const traceServices = await waitFor(
      () => {
        const services = new Set(
          receiver.spans.filter((s) => s.traceId === published.traceId).map((s) => s.serviceName),
        );
        return services.has('flint-evaluator') && services.has('flint-runner') ? services : null;
      },
      { timeoutMs: 60_000, description: 'evaluator and runner spans in the event’s trace' },
    );
    expect(traceServices).toContain('flint-api');

    const detail = (await client.request('GET', `/api/runs/${run.runId}`)) as {
      input: unknown;
      result: unknown;
      traceId: string;
    };
    expect(detail.input).toEqual({ order: 42 });
    expect(detail.traceId).toBe(published.traceId);

    const stats = await waitFor(
      async () => {
        const current = (await client.request('GET', '/api/triggers/on-order/stats')) as {
          totals: Record<string, number>;
        };
        return current.totals.started >= 1 && current.totals.matched >= 1 ? current : null;
      },
      { timeoutMs: 60_000, description: 'the trigger stats to count the run' },
    );
    expect(stats.totals).toMatchObject({ matched: 1, started: 1, failed: 0, errors: 0 });
    expect(stats.totals.received).toBe(stats.totals.matched + stats.totals.dropped);

    const recent = (await client.request('GET', '/api/sources/orders/events?limit=100')) as {
      items: Array<{ id: string; type: string; traceId?: string; dataExcerpt?: string }>;
    };
    const event = recent.items.find((e) => e.id === 'order-42');
    expect(event).toMatchObject({
      type: 'com.example.order.created',
      traceId: published.traceId,
      dataExcerpt: '{"orderId":42,"total":250}',
    });
    expect(recent.items[0]!.id).toBe('order-42');

    // The same id again is the same event: the dedupe lets no second run start.
    await client.request('POST', '/api/events', {
      type: 'com.example.order.created',
      owner: 'shop',
      id: 'order-42',
      data: { orderId: 42, total: 250 },
    });
    await waitFor(
      async () => {
        const current = (await client.request('GET', '/api/triggers/on-order/stats')) as {
          totals: Record<string, number>;
        };
        return current.totals.duplicate >= 1;
      },
      { timeoutMs: 60_000, description: 'the repeated event to count as a duplicate' },
    );
    const runs = (await client.request('GET', '/api/runs?trigger=on-order')) as RunPage;
    expect(runs.items).toHaveLength(1);
  });
});
