import { DLQ_HEADERS } from '@flint/contracts';
import { encodeCloudEvent } from '@flint/kafka';
import { waitFor } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { Evaluator } from '../../../apps/evaluator/src/evaluator';
import { EvaluatorTestBed, testEvent, trigger, webhookSource } from './evaluator-harness';

describeIfPostgres('the evaluator service', () => {
  const bed = new EvaluatorTestBed('evaluator');

  beforeAll(async () => {
    await bed.setUp('evaluator');
  });

  afterEach(async () => {
    await bed.stopAll();
  });

  afterAll(async () => {
    await bed.tearDown();
  });

  it('turns events into run requests, once per event however often it is delivered', async () => {
    await bed.define(
      webhookSource('github'),
      trigger('deploy', {
        sources: ['github'],
        match: { 'data.ref': 'refs/heads/main' },
        condition: 'event.data.n > 0',
        input: { ref: 'event.data.ref', n: 'event.data.n' },
      }),
      // Every event of this source fires it: its run request marks how far the evaluator got.
      trigger('sentinel', { sources: ['github'], condition: "event.type == 'sentinel'" }),
    );
    const evaluator = await bed.startEvaluator();

    const event = testEvent('github');
    const dev = testEvent('github', { data: { ref: 'refs/heads/dev', n: 1 } });
    await bed.publish(event);
    await bed.publish(event, dev);
    await bed.publish(event);
    const sentinel = testEvent('github', { type: 'sentinel', data: {} });
    await bed.publish(sentinel);
    await bed.waitForRuns('sentinel', 1);

    const [run] = await bed.waitForRuns('deploy', 1);
    expect(bed.runsOf('deploy')).toHaveLength(1);
    expect(run).toMatchObject({
      triggerId: 'deploy',
      triggerVersion: 1,
      eventIds: [event.id],
      input: { ref: 'refs/heads/main', n: (event.data as { n: number }).n },
      provider: 'webhook',
      acceptedAt: event.flintacceptedat,
    });
    expect(bed.runs.find((r) => r.request.triggerId === 'deploy')?.key).toBe(run?.runId);

    // A restarted evaluator has forgotten the event, and still gives it the same run id, which the
    // runner's claim turns away.
    await bed.stopEvaluator(evaluator);
    await bed.startEvaluator();
    await bed.publish(event, testEvent('github', { type: 'sentinel', data: {} }));
    const [, again] = await bed.waitForRuns('deploy', 2);
    expect(again?.runId).toBe(run?.runId);
  });

  it('applies a definition update and a deletion without a restart', async () => {
    await bed.define(
      webhookSource('shop'),
      trigger('big-orders', { sources: ['shop'], condition: 'event.data.n >= 1000' }),
      trigger('shop-sentinel', { sources: ['shop'], condition: "event.type == 'sentinel'" }),
    );
    const service = await bed.startEvaluator();
    const evaluator = service.app.get(Evaluator);
    await waitFor(() => evaluator.triggerVersion('big-orders') === 1);

    // Too small for version 1; evaluated (and dropped) before the update, as the sentinel shows.
    await bed.publish(
      testEvent('shop', { data: { n: 500 } }),
      testEvent('shop', { type: 'sentinel', data: {} }),
    );
    await bed.waitForRuns('shop-sentinel', 1);
    await bed.define(
      trigger('big-orders', { sources: ['shop'], condition: 'event.data.n >= 100' }),
    );
    await waitFor(() => evaluator.triggerVersion('big-orders') === 2, {
      description: 'the evaluator to apply version 2',
    });
    const medium = testEvent('shop', { data: { n: 500 } });
    await bed.publish(medium);
    const [run] = await bed.waitForRuns('big-orders', 1);
    expect(run).toMatchObject({ triggerVersion: 2, eventIds: [medium.id] });

    await bed.deleteDefinition('trigger', 'big-orders');
    await waitFor(() => evaluator.triggerVersion('big-orders') === undefined, {
      description: 'the evaluator to drop the deleted trigger',
    });
    await bed.publish(
      testEvent('shop', { data: { n: 5000 } }),
      testEvent('shop', { type: 'sentinel', data: {} }),
    );
    await bed.waitForRuns('shop-sentinel', 2);
    expect(bed.runsOf('big-orders')).toHaveLength(1);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(
      /triggers_events_filtered_total\{[^}]*provider="webhook"[^}]*result="matched"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/triggers_events_filtered_total\{[^}]*result="dropped"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/triggers_events_received_total\{[^}]*provider="webhook"[^}]*\} [1-9]/);
    expect(metrics).toContain('flint_evaluator_triggers{state="active"');
  });

  it('sends poison of every kind to the dead-letter topic, and every good event between them fires', async () => {
    await bed.define(webhookSource('poison'), trigger('after-poison', { sources: ['poison'] }));
    await bed.startEvaluator();
    const good = Array.from({ length: 5 }, () => testEvent('poison'));
    const invalidProvider = encodeCloudEvent(testEvent('poison'));
    invalidProvider.headers.ce_flintprovider = 'SMTP relay';
    // The body that once stopped a partition for good: 6 KB of brackets, 3,000 levels deep.
    const deep = {
      ...encodeCloudEvent(testEvent('poison')),
      value: Buffer.from(`${'['.repeat(3000)}${']'.repeat(3000)}`),
    };
    const nulInData = {
      ...encodeCloudEvent(testEvent('poison')),
      value: Buffer.from('{"kind":"a\\u0000b"}'),
    };
    const nulInAttribute = encodeCloudEvent(testEvent('poison'));
    nulInAttribute.headers.ce_subject = 'a\u0000b';
    const poison = [
      {
        key: 'poison',
        value: Buffer.from('not a cloud event'),
        headers: { 'content-type': 'application/json' },
      },
      invalidProvider,
      deep,
      nulInData,
      nulInAttribute,
    ];
    const messages = good.flatMap((event, index) => {
      const next = poison[index];
      return next ? [encodeCloudEvent(event), next] : [encodeCloudEvent(event)];
    });
    await bed.producer.send(bed.topics.events, messages);

    const runs = await bed.waitForRuns('after-poison', good.length);
    expect(runs.map((run) => run.eventIds[0])).toEqual(good.map((event) => event.id));
    const letters = await waitFor(
      () => (bed.deadLetters.length >= poison.length ? bed.deadLetters : undefined),
      { description: `${poison.length} dead letters` },
    );
    expect(letters.map((letter) => letter.headers[DLQ_HEADERS.reason])).toEqual([
      'undecodable',
      'invalid',
      'invalid',
      'invalid',
      'invalid',
    ]);
    expect(letters[0]?.value?.toString()).toBe('not a cloud event');
    expect(letters[1]?.headers[DLQ_HEADERS.sourceTopic]).toBe(bed.topics.events);
    expect(letters[1]?.headers[DLQ_HEADERS.error]).toContain('ce_flintprovider');
    expect(letters[2]?.headers[DLQ_HEADERS.error]).toContain('nests deeper than 100 levels');
    expect(letters[2]?.value?.length).toBe(6000);
    expect(letters[3]?.headers[DLQ_HEADERS.error]).toContain('data.kind contains a NUL character');
    expect(letters[4]?.headers[DLQ_HEADERS.error]).toContain('subject contains a NUL character');
  });

  it('remembers half a compound match across a restart', async () => {
    await bed.define(
      trigger('ship', {
        eventTypes: ['com.example.order', 'com.example.paid'],
        logic: 'all',
        within: '1h',
        correlate: 'event.data.orderId',
        input: { order: "events['com.example.order'].data.orderId" },
      }),
    );
    const first = await bed.startEvaluator();
    const order = testEvent('shop', { type: 'com.example.order', data: { orderId: 'o-7' } });
    await bed.publish(order);
    await waitFor(
      async () =>
        (
          await bed.store.query(
            "SELECT 1 FROM evaluator_compound_matches WHERE trigger_id = 'ship' AND status = 'open'",
          )
        ).length === 1,
      { description: 'the partial match in the database' },
    );
    await bed.stopEvaluator(first);
    await bed.startEvaluator();
    const paid = testEvent('bank', { type: 'com.example.paid', data: { orderId: 'o-7' } });
    await bed.publish(paid);
    const [run] = await bed.waitForRuns('ship', 1);
    expect(run).toMatchObject({ eventIds: [order.id, paid.id], input: { order: 'o-7' } });
  });
});
