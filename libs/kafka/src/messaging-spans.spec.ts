import { SpanKind } from '@opentelemetry/api';
import { createSpan, processSpan, sendSpan } from './messaging-spans';

describe('messaging spans (OpenTelemetry messaging semantic conventions)', () => {
  it('names a send after its topic, with the key and id of a single message', () => {
    expect(sendSpan('flint.events', [{ key: 'github', id: 'delivery-1' }])).toEqual({
      name: 'send flint.events',
      options: {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'send',
          'messaging.destination.name': 'flint.events',
          'messaging.kafka.message.key': 'github',
          'messaging.message.id': 'delivery-1',
        },
      },
    });
  });

  it('counts a batch, keeping the key only when all messages share it', () => {
    const sameKey = sendSpan('flint.events', [{ key: 'src' }, { key: 'src' }]).options.attributes;
    expect(sameKey).toMatchObject({
      'messaging.batch.message_count': 2,
      'messaging.kafka.message.key': 'src',
    });
    expect(sameKey).not.toHaveProperty('messaging.message.id');
    const mixed = sendSpan('flint.events', [{ key: 'a' }, { key: 'b' }]).options.attributes;
    expect(mixed).not.toHaveProperty('messaging.kafka.message.key');
  });

  it('describes processing with the group, partition, offset and key', () => {
    const span = processSpan(
      { topic: 'flint.events', partition: 3, offset: '1207', key: Buffer.from('github') },
      'flint-evaluator',
      'delivery-1',
    );
    expect(span.name).toBe('process flint.events');
    expect(span.options).toEqual({
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': 'flint.events',
        'messaging.consumer.group.name': 'flint-evaluator',
        'messaging.destination.partition.id': '3',
        'messaging.kafka.offset': 1207,
        'messaging.kafka.message.key': 'github',
        'messaging.message.id': 'delivery-1',
      },
    });
    expect(
      processSpan({ topic: 't', partition: 0, offset: '0', key: null }, 'g').options.attributes,
    ).not.toHaveProperty('messaging.kafka.message.key');
  });

  it('names the creation of one message sent later', () => {
    expect(createSpan('flint.runs', { key: 'run-1' })).toMatchObject({
      name: 'create flint.runs',
      options: {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.operation.type': 'create',
          'messaging.kafka.message.key': 'run-1',
        },
      },
    });
  });
});
