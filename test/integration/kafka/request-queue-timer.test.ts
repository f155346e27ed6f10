import { join } from 'node:path';
import { kafkaForTest } from '../../support/kafka-client';
import { createTestTopic } from '../../support/kafka';
import { runTsFixture } from '../../support/ts-child-process';

const IDLE_CLIENT = join(__dirname, 'fixtures', 'idle-client.ts');

/**
 * kafkajs 2.2.4 re-arms a 1 ms timer in each connection's request queue for ever once it has seen a
 * response, with a negative delay Node 24 warns about (libs/kafka/src/request-queue-timer.ts). In a
 * process of its own, since Node prints a kind of warning once per process.
 */
describe("kafkajs's request queues in an idle process", () => {
  it('neither wake every millisecond nor make Node warn of a negative timeout', async () => {
    const topic = await createTestTopic(kafkaForTest(), 'idle-client');
    const idle = await runTsFixture(
      IDLE_CLIENT,
      { ...process.env, TOPIC: topic },
      'the idle Kafka client never finished',
    );
    expect(idle).toMatchObject({ code: 0 });
    expect(idle.output).not.toContain('TimeoutNegativeWarning');
    const looks = Number(/looks while idle: (\d+)/.exec(idle.output)?.[1]);
    // A second idle: nothing waits, so nothing needs a look (as is: one every ~1 ms per connection).
    expect(looks).toBeLessThan(10);
  });
});
