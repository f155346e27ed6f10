import { systemClock } from '@flint/common';
import type { OutgoingMessage } from '@flint/kafka';
import { Counter, Registry } from 'prom-client';
import { CoalescingSender, type MessageSender } from './coalescing-sender';
import { EmitAbortedError, EmitFailedError } from './emit-errors';
import { createEmit } from './source-emitter';

/** Fails the first `failures` requests with `error`, then acknowledges. */
class FlakySender implements MessageSender {
  readonly sent: OutgoingMessage[][] = [];
  attempts = 0;

  constructor(
    private failures: number,
    private readonly error: unknown = new Error('Connection error: ECONNREFUSED'),
  ) {}

  async send(_topic: string, messages: OutgoingMessage[]): Promise<unknown> {
    this.attempts++;
    if (this.failures > 0) {
      this.failures--;
      throw this.error;
    }
    this.sent.push(messages);
    return [];
  }
}

function setup(sender: MessageSender, signal = new AbortController().signal) {
  const registry = new Registry();
  const received = new Counter({
    name: 'triggers_events_received_total',
    help: 'test',
    labelNames: ['provider'],
    registers: [registry],
  });
  const warnings: string[] = [];
  const emit = createEmit({
    sourceId: 'orders',
    provider: 'poller',
    sender: new CoalescingSender(sender, 'events'),
    received,
    backoff: { initialMs: 1, maxMs: 5 },
    clock: systemClock,
    log: (_level, message) => warnings.push(message),
    signal,
  });
  const count = async () => (await received.get()).values[0]?.value ?? 0;
  return { emit, count, warnings };
}

describe('emit', () => {
  it('lets many emits wait on the source signal with one listener, aborting them all at once', async () => {
    const hanging: MessageSender = { send: () => new Promise(() => undefined) };
    const stop = new AbortController();
    const added = jest.spyOn(stop.signal, 'addEventListener');
    const { emit } = setup(hanging, stop.signal);
    const pending = Array.from({ length: 50 }, (_, i) =>
      emit({ id: `o-${i}`, type: 'order.created' }, { timeoutMs: 60_000 }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(added).toHaveBeenCalledTimes(1);
    stop.abort();
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.map((o) => o.status === 'rejected' && o.reason)).toEqual(
      Array.from({ length: 50 }, () => expect.any(EmitAbortedError)),
    );
  });

  it('times out each emit at its own deadline', async () => {
    let acknowledge!: () => void;
    const acknowledged = new Promise<void>((resolve) => (acknowledge = resolve));
    const slow: MessageSender = { send: () => acknowledged };
    const { emit } = setup(slow);
    const patient = emit({ id: 'patient', type: 'order.created' }, { timeoutMs: 60_000 });
    const hasty = emit({ id: 'hasty', type: 'order.created' }, { timeoutMs: 20 });
    await expect(hasty).rejects.toThrow('Kafka did not acknowledge the event within 20 ms');
    acknowledge();
    await expect(patient).resolves.toMatchObject({ id: 'patient' });
  });

  it('retries transient failures until Kafka acknowledges, then counts the event', async () => {
    const sender = new FlakySender(3);
    const { emit, count, warnings } = setup(sender);
    const event = await emit({ id: 'o-1', type: 'order.created', data: { id: 1 } });
    expect(event).toMatchObject({ id: 'o-1', flintsourceid: 'orders', flintprovider: 'poller' });
    expect(sender.attempts).toBe(4);
    expect(sender.sent[0][0]).toMatchObject({ key: 'orders', value: Buffer.from('{"id":1}') });
    expect(warnings).toHaveLength(3);
    expect(await count()).toBe(1);
  });

  it('gives up after the attempts it was given', async () => {
    const sender = new FlakySender(5);
    const { emit, count } = setup(sender);
    const failure = emit({ type: 'order.created' }, { attempts: 2 });
    await expect(failure).rejects.toBeInstanceOf(EmitFailedError);
    await expect(failure).rejects.toMatchObject({
      permanent: false,
      message: 'could not publish to Kafka: Connection error: ECONNREFUSED',
    });
    expect(sender.attempts).toBe(2);
    expect(await count()).toBe(0);
  });

  it('gives up at the timeout even while a request hangs', async () => {
    const hanging: MessageSender = { send: () => new Promise(() => undefined) };
    const { emit } = setup(hanging);
    await expect(emit({ type: 'order.created' }, { timeoutMs: 50 })).rejects.toThrow(
      'Kafka did not acknowledge the event within 50 ms',
    );
  });

  it('does not retry records the broker refuses', async () => {
    const tooLarge = Object.assign(new Error('Message too large'), { type: 'MESSAGE_TOO_LARGE' });
    const sender = new FlakySender(1, tooLarge);
    const { emit } = setup(sender);
    await expect(emit({ type: 'order.created' })).rejects.toMatchObject({ permanent: true });
    expect(sender.attempts).toBe(1);
  });

  it('refuses an event that is not a valid CloudEvent before sending anything', async () => {
    const sender = new FlakySender(0);
    const { emit } = setup(sender);
    const failure = emit({ type: '', time: 'yesterday' });
    await expect(failure).rejects.toMatchObject({ permanent: true });
    await expect(failure).rejects.toThrow(/cannot publish an invalid CloudEvent/);
    expect(sender.attempts).toBe(0);
  });

  it('stops retrying when the source is stopped', async () => {
    const stop = new AbortController();
    const sender = new FlakySender(Number.POSITIVE_INFINITY);
    const { emit } = setup(sender, stop.signal);
    const pending = emit({ type: 'order.created' });
    setTimeout(() => stop.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(EmitAbortedError);
  });

  it('publishes a batch in one request', async () => {
    const sender = new FlakySender(0);
    const { emit, count } = setup(sender);
    const events = await emit.many([
      { id: 'a', type: 't' },
      { id: 'b', type: 't' },
      { id: 'c', type: 't' },
    ]);
    expect(events.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]).toHaveLength(3);
    expect(await count()).toBe(3);
  });
});
