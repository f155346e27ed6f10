import { randomUUID } from 'node:crypto';
import { DLQ_HEADERS } from '@flint/contracts';
import { EventProducer } from '@flint/kafka';
import type { RunningService } from '@flint/service-kit';
import { waitFor } from '../../../support/kafka';
import { kafkaForTest } from '../../../support/kafka-client';
import { readTopicUntil, startApi, type TestTopics, testTopics } from '../../api/api-harness';
import { runFlint } from '../cli-harness';

const sfx = randomUUID().slice(0, 8);
const source = `cli-dlq-${sfx}`;

describe('flint dlq against a running API', () => {
  let api: RunningService;
  let topics: TestTopics;
  const producer = new EventProducer(kafkaForTest('cli-dlq-test'));
  const ids = new Map<string, string>();

  const cli = (...args: string[]) => runFlint(args, { apiUrl: api.url });

  async function deadLetter(key: string, reason: string, sourceTopic: string): Promise<void> {
    await producer.send(topics.dlq, [
      {
        key,
        value: `{"key":"${key}"}`,
        headers: {
          ce_id: key,
          [DLQ_HEADERS.reason]: reason,
          [DLQ_HEADERS.error]: `${reason} message ${key}`,
          [DLQ_HEADERS.sourceTopic]: sourceTopic,
          [DLQ_HEADERS.sourceId]: source,
          [DLQ_HEADERS.failedAt]: new Date().toISOString(),
        },
      },
    ]);
  }

  beforeAll(async () => {
    topics = testTopics('cli-dlq');
    api = await startApi(topics, { FLINT_API_DLQ_GROUP_ID: `cli-dlq-${sfx}` });
    await deadLetter('one', 'undecodable', topics.events);
    await deadLetter('two', 'invalid', topics.events);
    await deadLetter('three', 'invalid', 'nats');
    const listed = await waitFor(
      async () => {
        const run = await cli('dlq', 'list', '--source-id', source, '-o', 'json');
        const items =
          run.code === 0
            ? (JSON.parse(run.stdout.join('\n')) as { id: string; key: string }[])
            : [];
        return items.length === 3 ? items : undefined;
      },
      { description: 'three dead letters indexed' },
    );
    for (const item of listed) ids.set(item.key, item.id);
  });

  afterAll(async () => {
    await producer.disconnect();
    await api.stop();
  });

  it('lists dead letters as a table, newest first, filtered', async () => {
    const all = await cli('dlq', 'list', '--source-id', source);
    expect(all.code).toBe(0);
    expect(all.stdout[0]).toMatch(/^ID\s+FAILED AT\s+REASON\s+SOURCE\s+KEY\s+RESENT\s+ERROR$/);
    // Newest first in the order the API indexed them; the topic's partitions interleave.
    expect(
      all.stdout
        .slice(1)
        .map((line) => line.split(/\s+/)[2])
        .sort(),
    ).toEqual(['invalid', 'invalid', 'undecodable']);
    expect(all.stdout.find((line) => line.includes('nats'))).toMatch(/ n\/a /);
    const undecodable = await cli('dlq', 'list', '--source-id', source, '--reason', 'undecodable');
    expect(undecodable.stdout).toHaveLength(2);
    expect(undecodable.stdout[1]).toContain('undecodable message one');
    const limited = await cli('dlq', 'list', '--source-id', source, '--limit', '1');
    expect(limited.stdout).toHaveLength(2);
  });

  it('shows one dead letter with its message', async () => {
    const shown = await cli('dlq', 'get', ids.get('two') as string);
    expect(shown.code).toBe(0);
    const text = shown.stdout.join('\n');
    expect(text).toMatch(/^reason\s+invalid$/m);
    expect(text).toMatch(/^error\s+invalid message two$/m);
    expect(text).toContain('headers:\n  ce_id: two');
    expect(text).toContain('value (utf8):\n  {"key":"two"}');
    const missing = await cli('dlq', 'get', '999999999');
    expect(missing.code).toBe(1);
    expect(missing.stderr[0]).toBe('dlq get 999999999 failed: dead letter 999999999 not found');
  });

  it('re-sends one or all matching, says what could not be, and refuses an unbounded call', async () => {
    const one = await cli('dlq', 'resend', ids.get('one') as string);
    expect(one.code).toBe(0);
    expect(one.stdout).toEqual([`${ids.get('one')} re-sent to ${topics.events}`]);

    const unbounded = await cli('dlq', 'resend');
    expect(unbounded.code).toBe(1);
    expect(unbounded.stderr[0]).toContain('pass --all');
    const both = await cli('dlq', 'resend', ids.get('one') as string, '--all');
    expect(both.code).toBe(1);

    const matching = await cli(
      'dlq',
      'resend',
      '--all',
      '--source-id',
      source,
      '--reason',
      'invalid',
    );
    expect(matching.code).toBe(0);
    expect(matching.stdout).toEqual([
      `${ids.get('two')} re-sent to ${topics.events}`,
      `${ids.get('three')} not re-sent: it came from nats, not from Flint's events or runs topic; send it again upstream`,
    ]);
    const events = await readTopicUntil(
      topics.events,
      (records) => ['one', 'two'].every((key) => records.some((r) => r.key === key)),
      'both re-sent events',
    );
    expect(events.map((record) => record.key).sort()).toEqual(['one', 'two']);
    const resent = await cli('dlq', 'list', '--source-id', source, '--resent');
    expect(
      resent.stdout
        .slice(1)
        .map((line) => line.split(/\s+/)[0])
        .sort(),
    ).toEqual([ids.get('one'), ids.get('two')].sort());
  });

  it('purges one, then all matching', async () => {
    const one = await cli('dlq', 'purge', ids.get('one') as string);
    expect(one.stdout).toEqual(['1 dead letter(s) purged']);
    const refused = await cli('dlq', 'purge');
    expect(refused.code).toBe(1);
    const rest = await cli('dlq', 'purge', '--all', '--source-id', source);
    expect(rest.stdout).toEqual(['2 dead letter(s) purged']);
    expect((await cli('dlq', 'list', '--source-id', source)).stdout).toEqual(['no dead letters']);
  });
});
