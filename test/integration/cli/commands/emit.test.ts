import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCloudEvent } from '@flint/kafka';
import type { RunningService } from '@flint/service-kit';
import { kafkaForTest } from '../../../support/kafka-client';
import { readAllMessages } from '../../../support/kafka';
import { type TestTopics, startApi, testTopics } from '../../api/api-harness';
import { runFlint } from '../cli-harness';

describe('flint emit against a running API', () => {
  let api: RunningService;
  let topics: TestTopics;
  let dir: string;

  const cli = (...args: string[]) => runFlint(args, { apiUrl: api.url, cwd: dir });

  beforeAll(async () => {
    topics = testTopics('cli-emit');
    api = await startApi(topics);
    dir = await mkdtemp(join(tmpdir(), 'flint-cli-emit-'));
    await writeFile(join(dir, 'order.json'), '{"orderId": 9, "items": [1, 2]}');
  });

  afterAll(async () => {
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes events with data from the command line or a file and prints their ids', async () => {
    const inline = await cli('emit', 'com.example.ping', '--data', '{"n":1}', '--id', 'ping-1');
    expect(inline.code).toBe(0);
    expect(inline.stdout).toEqual(['ping-1']);
    expect(inline.stderr).toEqual(['event ping-1 of type com.example.ping published']);

    const fromFile = await cli(
      'emit',
      'com.example.order.created',
      '--data-file',
      'order.json',
      '--source',
      'shop/checkout',
      '--subject',
      'orders/9',
    );
    expect(fromFile.code).toBe(0);
    const [generatedId] = fromFile.stdout;

    const events = (await readAllMessages(kafkaForTest(), topics.events)).map(decodeCloudEvent);
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.id === 'ping-1')).toMatchObject({
      type: 'com.example.ping',
      data: { n: 1 },
    });
    expect(events.find((e) => e.id === generatedId)).toMatchObject({
      type: 'com.example.order.created',
      source: 'shop/checkout',
      subject: 'orders/9',
      data: { orderId: 9, items: [1, 2] },
    });
  });

  it('fails clearly on bad data, a bad type and conflicting options', async () => {
    const badJson = await cli('emit', 'com.example.x', '--data', '{nope');
    expect(badJson.code).toBe(1);
    expect(badJson.stderr[0]).toMatch(/^emit com.example.x failed: --data is not valid JSON/);

    const both = await cli('emit', 'com.example.x', '--data', '1', '--data-file', 'order.json');
    expect(both.code).toBe(1);
    expect(both.stderr).toEqual([
      'emit com.example.x failed: give the data with --data or --data-file, not both',
    ]);

    const missing = await cli('emit', 'com.example.x', '--data-file', 'missing.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr[0]).toContain('cannot read missing.json');

    const badType = await cli('emit', 'has spaces');
    expect(badType.code).toBe(1);
    expect(badType.stderr[0]).toBe('emit has spaces failed: invalid event');
    expect(badType.stderr[1]).toMatch(/^ {2}type: /);
  });
});
