import { randomBytes } from 'node:crypto';
import { createKafka, EventProducer, kafkaConfigFromEnv } from '@flint/kafka';
import type { CloudEvent } from '@flint/contracts';
import { quietLog } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { EvaluatorTestBed, testEvent, trigger, webhookSource } from './evaluator-harness';

/**
 * Two owners on one events topic, with the services' signing key set: events reach only their own
 * owner's triggers (or those sharing the type with `fromOwners`), and a producer without the key can
 * neither act as an owner nor fake a run-status event.
 */
describeIfPostgres('owners on the events topic', () => {
  const bed = new EvaluatorTestBed('owners');
  const signingKey = randomBytes(32).toString('base64');
  const flintKafka = createKafka(
    kafkaConfigFromEnv(
      { ...process.env, KAFKA_EVENT_SIGNING_KEY: signingKey },
      'flint-owners-test',
    ),
    { log: quietLog },
  );
  /** Signs like Flint's services; `bed.publish` is a producer without the key. */
  const flint = new EventProducer(flintKafka);
  const publishSigned = (...events: CloudEvent[]) => flint.publishEvents(bed.topics.events, events);

  beforeAll(async () => {
    await bed.setUp('owners');
  });

  afterAll(async () => {
    await bed.stopAll();
    await flint.disconnect();
    await bed.tearDown();
  });

  const custom = (owner: string | undefined, type = 'com.example.order'): CloudEvent =>
    testEvent('api', { type, flintprovider: 'api', flintowner: owner, data: { owner } });

  it('keeps each owner’s events to its own triggers, shares only what an admin shared', async () => {
    await bed.define(
      { ...webhookSource('till'), owner: 'shop' },
      trigger('shop-orders', { owner: 'shop', eventTypes: ['com.example.order'] }),
      trigger('bank-orders', { owner: 'bank', eventTypes: ['com.example.order'] }),
      trigger('audit', { owner: 'ops', eventTypes: ['com.example.order'], fromOwners: ['shop'] }),
      trigger('shop-till', { owner: 'shop', sources: ['till'] }),
      trigger('bank-till', { owner: 'bank', sources: ['till'] }),
      trigger('shop-chain', { owner: 'shop', eventTypes: ['flint.run.failed'] }),
      trigger('bank-chain', { owner: 'bank', eventTypes: ['flint.run.failed'] }),
      trigger('done', { owner: 'ops', eventTypes: ['com.example.done'] }),
    );
    await bed.startEvaluator({ KAFKA_EVENT_SIGNING_KEY: signingKey });

    const shopOrder = custom('shop');
    const bankOrder = custom('bank');
    const sale = testEvent('till', { flintowner: undefined });
    const failed = testEvent('shop-deploy', {
      type: 'flint.run.failed',
      flintprovider: 'runner',
      flintowner: 'shop',
      data: { runId: 'r-1', triggerId: 'shop-deploy', status: 'FAILED', attempt: 1 },
    });
    // Without the key: claims to be shop's order and shop's run, and a sale of shop's till.
    const claimedOrder = custom('shop');
    await bed.publish(
      claimedOrder,
      { ...failed, id: 'forged-failure' },
      testEvent('till', { flintowner: undefined }),
    );
    await publishSigned(shopOrder, bankOrder, sale, failed, custom('ops', 'com.example.done'));
    await bed.waitForRuns('done', 1);

    const fired = (id: string) => bed.runsOf(id).map((run) => run.eventIds[0]);
    expect(fired('shop-orders')).toEqual([shopOrder.id]);
    expect(fired('bank-orders')).toEqual([bankOrder.id]);
    expect(fired('audit')).toEqual([shopOrder.id]);
    expect(fired('shop-till')).toEqual([sale.id]);
    expect(fired('bank-till')).toEqual([]);
    expect(fired('shop-chain')).toEqual([failed.id]);
    expect(fired('bank-chain')).toEqual([]);

    // The archive keeps whether Flint produced each event, so a backtest judges it as this did (a
    // forged run-status event is refused before the archive).
    const archived = await bed.store.query<{ event_id: string; from_flint: boolean }>(
      `SELECT event_id, from_flint FROM event_archive WHERE event_id = ANY($1::text[])`,
      [[claimedOrder.id, shopOrder.id]],
    );
    expect(Object.fromEntries(archived.map((row) => [row.event_id, row.from_flint]))).toEqual({
      [claimedOrder.id]: false,
      [shopOrder.id]: true,
    });
  });
});
