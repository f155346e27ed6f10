import { waitFor } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { EvaluatorTestBed, testEvent, trigger } from './evaluator-harness';

describeIfPostgres('absence triggers across an evaluator restart', () => {
  const bed = new EvaluatorTestBed('absence');

  beforeAll(async () => {
    await bed.setUp('absence');
  });

  afterAll(async () => {
    await bed.stopAll();
    await bed.tearDown();
  });

  const order = (type: string, orderId: string) =>
    testEvent('shop', { type, flintprovider: 'api', data: { orderId } });

  it('fires an overdue wait once after a restart, and none that the missing event ended', async () => {
    await bed.define(
      trigger('unshipped', {
        eventTypes: ['shop.paid', 'shop.shipped'],
        expect: {
          after: 'shop.paid',
          missing: 'shop.shipped',
          within: '4s',
          key: 'event.data.orderId',
        },
        input: { order: 'event.data.orderId' },
      }),
      trigger('sentinel', { eventTypes: ['shop.sentinel'] }),
    );
    const first = await bed.startEvaluator();
    const paid7 = order('shop.paid', '7');
    await bed.publish(paid7, order('shop.paid', '8'), order('shop.shipped', '8'));
    await waitFor(
      async () =>
        (
          await bed.store.query(
            "SELECT status FROM evaluator_batches WHERE trigger_id = 'unshipped' ORDER BY opened_at",
          )
        )
          .map((row) => (row as { status: string }).status)
          .join() === 'open,emitted',
      { description: 'order 7 waiting and order 8 answered, in the database' },
    );
    await bed.stopEvaluator(first);
    // Down past the window: the wait of order 7 is overdue when the next evaluator starts.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await bed.startEvaluator();
    const [run] = await bed.waitForRuns('unshipped', 1);
    expect(run).toMatchObject({ eventIds: [paid7.id], input: { order: '7' } });

    await bed.publish(order('shop.sentinel', 's'));
    await bed.waitForRuns('sentinel', 1);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(bed.runsOf('unshipped')).toHaveLength(1);
  });
});
