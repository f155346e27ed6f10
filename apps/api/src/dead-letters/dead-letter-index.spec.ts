import { DLQ_HEADERS } from '@flint/contracts';
import type { IncomingMessage } from '@flint/kafka';
import { deadLetterOf } from './dead-letter-index';

const message = (headers: IncomingMessage['headers'], extra: Partial<IncomingMessage> = {}) => ({
  topic: 'flint.dlq',
  partition: 2,
  offset: '41',
  key: Buffer.from('run-1'),
  value: Buffer.from('{"a":1}'),
  headers,
  timestamp: '1764979200000',
  ...extra,
});

describe('deadLetterOf', () => {
  it('splits the DLQ headers from the original ones', () => {
    expect(
      deadLetterOf(
        message({
          traceparent: '00-abc',
          [DLQ_HEADERS.reason]: 'invalid',
          [DLQ_HEADERS.error]: 'runId: required',
          [DLQ_HEADERS.sourceTopic]: 'flint.runs',
          [DLQ_HEADERS.sourcePartition]: '0',
          [DLQ_HEADERS.sourceOffset]: '17',
          [DLQ_HEADERS.failedAt]: '2026-12-06T10:00:00.000Z',
        }),
      ),
    ).toEqual({
      dlqPartition: 2,
      dlqOffset: '41',
      reason: 'invalid',
      error: 'runId: required',
      sourceTopic: 'flint.runs',
      sourcePartition: 0,
      sourceOffset: '17',
      failedAt: new Date('2026-12-06T10:00:00.000Z'),
      key: 'run-1',
      value: Buffer.from('{"a":1}'),
      headers: { traceparent: '00-abc' },
    });
  });

  it('indexes a message without DLQ headers, with what it has, and text PostgreSQL can store', () => {
    const letter = deadLetterOf(
      message(
        { odd: Buffer.from('a\u0000b'), [DLQ_HEADERS.sourceOffset]: 'soon' },
        { key: Buffer.from('k\u0000') },
      ),
    );
    expect(letter).toMatchObject({
      reason: 'unknown',
      sourceTopic: 'unknown',
      failedAt: new Date(1764979200000),
      key: 'k\uFFFD',
      headers: { odd: 'a\uFFFDb' },
    });
    expect(letter.sourceOffset).toBeUndefined();
    expect(deadLetterOf(message({}, { timestamp: 'never' })).failedAt.getTime()).not.toBeNaN();
  });
});
