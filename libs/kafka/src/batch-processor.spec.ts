import { DLQ_HEADERS } from '@flint/contracts';
import {
  BatchAbandonedError,
  type BatchContext,
  BatchProcessor,
  type BatchProcessorOptions,
  RetriesExhaustedError,
} from './batch-processor';
import type { IncomingMessage, OutgoingRecord } from './messages';

function message(offset: number, value: string | null): IncomingMessage {
  return {
    topic: 'in',
    partition: 2,
    offset: String(offset),
    key: Buffer.from(`key-${offset}`),
    value: value === null ? null : Buffer.from(value),
    headers: { origin: Buffer.from('test') },
    timestamp: '1700000000000',
  };
}

/** Decodes JSON objects with a numeric `n`; anything else is poison. */
function decode(m: IncomingMessage): number {
  const parsed: unknown = JSON.parse(m.value?.toString() ?? 'null');
  if (typeof parsed !== 'object' || parsed === null || !('n' in parsed)) {
    throw new Error('no n in the message');
  }
  return Number(parsed.n);
}

interface Harness {
  steps: string[];
  sent: OutgoingRecord[][];
  ctx: BatchContext & { stopping: boolean; beats: number };
  processor: BatchProcessor<number>;
}

function harness(overrides: Partial<BatchProcessorOptions<number>> = {}): Harness {
  const steps: string[] = [];
  const sent: OutgoingRecord[][] = [];
  const ctx = {
    topic: 'in',
    partition: 2,
    stopping: false,
    beats: 0,
    heartbeat: async () => {
      ctx.beats++;
    },
    isStopping: () => ctx.stopping,
  };
  const processor = new BatchProcessor<number>({
    decode,
    handle: async (items) => {
      steps.push(`handle ${items.map((i) => i.value).join(',')}`);
      return items.map((i) => ({ topic: 'out', key: null, value: String(i.value * 10) }));
    },
    dlqTopic: 'dlq',
    retry: { attempts: 3, initialMs: 1, maxMs: 2 },
    send: async (records) => {
      steps.push(`send ${records.map((r) => r.topic).join(',')}`);
      sent.push(records);
    },
    log: () => undefined,
    now: () => new Date('2026-03-04T05:06:07.000Z'),
    ...overrides,
  });
  return { steps, sent, ctx, processor };
}

/** A failure that says the database is unreachable: an outage, not the message's fault. */
function outage(message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNREFUSED' });
}

/** A protocol error as kafkajs reports a broker's answer. */
function kafkaError(type: string): Error {
  return Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });
}

describe('BatchProcessor', () => {
  it('sends poison to the dead-letter topic with the original bytes and the reason, then handles the rest', async () => {
    const h = harness();
    await h.processor.process(
      [message(10, '{"n":1}'), message(11, '{"n":'), message(12, '{"n":3}')],
      h.ctx,
    );
    expect(h.steps).toEqual(['send dlq', 'handle 1,3', 'send out,out']);
    const [deadLetter] = h.sent[0]!;
    expect(deadLetter).toEqual({
      topic: 'dlq',
      key: Buffer.from('key-11'),
      value: Buffer.from('{"n":'),
      headers: {
        origin: Buffer.from('test'),
        [DLQ_HEADERS.reason]: 'undecodable',
        [DLQ_HEADERS.error]: expect.stringContaining('JSON'),
        [DLQ_HEADERS.sourceTopic]: 'in',
        [DLQ_HEADERS.sourcePartition]: '2',
        [DLQ_HEADERS.sourceOffset]: '11',
        [DLQ_HEADERS.failedAt]: '2026-03-04T05:06:07.000Z',
      },
    });
    expect(h.sent[1]!.map((r) => r.value)).toEqual(['10', '30']);
  });

  it('does not call the handler when every message is poison', async () => {
    const h = harness();
    await h.processor.process([message(1, 'x'), message(2, null)], h.ctx);
    expect(h.steps).toEqual(['send dlq,dlq']);
    expect(h.sent[0]!.map((r) => r.headers?.[DLQ_HEADERS.error])).toEqual([
      expect.stringContaining('JSON'),
      'no n in the message',
    ]);
  });

  it('retries a failing handler with heartbeats and sends its output once', async () => {
    let failures = 2;
    const h = harness({
      handle: async (items) => {
        if (failures-- > 0) throw outage('database unavailable');
        return [{ topic: 'out', value: String(items.length) }];
      },
    });
    await h.processor.process([message(1, '{"n":1}')], h.ctx);
    expect(h.sent).toEqual([[{ topic: 'out', value: '1' }]]);
    expect(failures).toBe(-1);
    expect(h.ctx.beats).toBeGreaterThanOrEqual(2);
  });

  it('retries a failed send without running the handler again', async () => {
    let sendFailures = 1;
    const h = harness();
    const send = async (records: OutgoingRecord[]) => {
      if (sendFailures-- > 0) throw kafkaError('NOT_ENOUGH_REPLICAS');
      h.sent.push(records);
    };
    const processor = new BatchProcessor<number>({
      decode,
      handle: async (items) => {
        h.steps.push('handle');
        return [{ topic: 'out', value: String(items[0]!.value) }];
      },
      dlqTopic: 'dlq',
      retry: { attempts: 3, initialMs: 1, maxMs: 2 },
      send,
      log: () => undefined,
    });
    await processor.process([message(1, '{"n":7}')], h.ctx);
    expect(h.steps).toEqual(['handle']);
    expect(h.sent).toEqual([[{ topic: 'out', value: '7' }]]);
  });

  it('gives up after the last attempt and produces nothing, so the batch is replayed', async () => {
    const h = harness({
      handle: async () => {
        throw outage('still broken');
      },
    });
    await expect(h.processor.process([message(5, '{"n":1}')], h.ctx)).rejects.toThrow(
      new RetriesExhaustedError('handling the batch failed 3 times for in[2]: still broken'),
    );
    expect(h.sent).toEqual([]);
  });

  it('abandons a retrying batch when the consumer stops', async () => {
    const h = harness({
      handle: async () => {
        h.ctx.stopping = true;
        throw new Error('broken');
      },
    });
    await expect(h.processor.process([message(5, '{"n":1}')], h.ctx)).rejects.toBeInstanceOf(
      BatchAbandonedError,
    );
    expect(h.sent).toEqual([]);
  });

  describe('a message that fails for a reason of its own', () => {
    it('is found by splitting the batch, dead-lettered with the error, and the rest go on', async () => {
      const h = harness({
        handle: async (items) => {
          h.steps.push(`handle ${items.map((i) => i.value).join(',')}`);
          if (items.some((i) => i.value === 3))
            throw new RangeError('Maximum call stack size exceeded');
          return items.map((i) => ({ topic: 'out', key: null, value: String(i.value * 10) }));
        },
      });
      const batch = [1, 2, 3, 4, 5].map((n) => message(n, `{"n":${n}}`));
      await h.processor.process(batch, h.ctx);
      const out = h.sent.flat().filter((r) => r.topic === 'out');
      expect(out.map((r) => r.value)).toEqual(['10', '20', '40', '50']);
      const dead = h.sent.flat().filter((r) => r.topic === 'dlq');
      expect(dead).toHaveLength(1);
      expect(dead[0]!.value).toEqual(Buffer.from('{"n":3}'));
      expect(dead[0]!.headers?.[DLQ_HEADERS.reason]).toBe('processing-failed');
      expect(dead[0]!.headers?.[DLQ_HEADERS.error]).toContain('Maximum call stack size exceeded');
      expect(dead[0]!.headers?.[DLQ_HEADERS.sourceOffset]).toBe('3');
      // Not retried: the whole batch once, then halves, never the same set twice in a row.
      expect(h.steps.filter((step) => step === 'handle 1,2,3,4,5')).toHaveLength(1);
    });

    it('is found when the broker refuses its output record, and the others are produced', async () => {
      const h = harness();
      const processor = new BatchProcessor<number>({
        decode,
        handle: async (items) => items.map((i) => ({ topic: 'out', value: String(i.value) })),
        dlqTopic: 'dlq',
        retry: { attempts: 3, initialMs: 1, maxMs: 2 },
        send: async (records) => {
          if (records.some((r) => r.value === '2')) throw kafkaError('MESSAGE_TOO_LARGE');
          h.sent.push(records);
        },
        log: () => undefined,
      });
      await processor.process(
        [1, 2, 3].map((n) => message(n, `{"n":${n}}`)),
        h.ctx,
      );
      expect(h.sent.flat().map((r) => `${r.topic}:${String(r.value)}`)).toEqual([
        'out:1',
        'dlq:{"n":2}',
        'out:3',
      ]);
    });

    it('dead-letters every message when each fails on its own', async () => {
      const h = harness({
        handle: async () => {
          throw new TypeError('cannot read properties of undefined');
        },
      });
      await h.processor.process(
        [1, 2, 3].map((n) => message(n, `{"n":${n}}`)),
        h.ctx,
      );
      const dead = h.sent.flat();
      expect(dead.map((r) => r.headers?.[DLQ_HEADERS.sourceOffset])).toEqual(['1', '2', '3']);
      expect(dead.every((r) => r.topic === 'dlq')).toBe(true);
    });

    it('is not dead-lettered while the consumer stops: the batch is replayed instead', async () => {
      const h = harness({
        handle: async () => {
          h.ctx.stopping = true;
          throw new Error('the store is closed');
        },
      });
      await expect(h.processor.process([message(1, '{"n":1}')], h.ctx)).rejects.toBeInstanceOf(
        BatchAbandonedError,
      );
      expect(h.sent).toEqual([]);
    });

    it('an outage is retried for the whole batch, never split', async () => {
      let failures = 2;
      const h = harness({
        handle: async (items) => {
          h.steps.push(`handle ${items.length}`);
          if (failures-- > 0) throw outage('connection refused');
          return [];
        },
      });
      await h.processor.process(
        [1, 2, 3, 4].map((n) => message(n, `{"n":${n}}`)),
        h.ctx,
      );
      expect(h.steps).toEqual(['handle 4', 'handle 4', 'handle 4']);
      expect(h.sent).toEqual([]);
    });
  });
});
