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
        if (failures-- > 0) throw new Error('database unavailable');
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
      if (sendFailures-- > 0) throw new Error('NOT_ENOUGH_REPLICAS');
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
        throw new Error('still broken');
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
});
