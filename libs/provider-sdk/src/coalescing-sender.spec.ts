import type { OutgoingMessage } from '@flint/kafka';
import { CoalescingSender, type MessageSender } from './coalescing-sender';

/** A sender whose requests complete when the test says so. */
class ManualSender implements MessageSender {
  readonly requests: Array<{ values: string[]; settle: (err?: unknown) => void }> = [];

  send(_topic: string, messages: OutgoingMessage[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.requests.push({
        values: messages.map((m) => String(m.value)),
        settle: (err) => (err === undefined ? resolve(undefined) : reject(err)),
      });
    });
  }
}

const message = (value: string): OutgoingMessage => ({ key: 'k', value });
const tick = () => new Promise(setImmediate);

describe('CoalescingSender', () => {
  it('gathers what arrives while a request is in flight into the next request', async () => {
    const sender = new ManualSender();
    const coalescing = new CoalescingSender(sender, 'events');
    const first = coalescing.send([message('a')]);
    const second = coalescing.send([message('b')]);
    const third = coalescing.send([message('c'), message('d')]);
    await tick();
    expect(sender.requests.map((r) => r.values)).toEqual([['a']]);
    sender.requests[0].settle();
    await first;
    await tick();
    expect(sender.requests.map((r) => r.values)).toEqual([['a'], ['b', 'c', 'd']]);
    sender.requests[1].settle();
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('counts the headers in UTF-8 bytes towards the byte limit, each value of a repeated one', async () => {
    const sender = new ManualSender();
    const coalescing = new CoalescingSender(sender, 'events', { maxMessages: 10, maxBytes: 12 });
    const calls = [
      coalescing.send([message('x')]),
      // 'k' + 'a' + 'ab' + 'é' (2 bytes) + 'c': 7 bytes; then 8 bytes; then 2.
      coalescing.send([{ key: 'k', value: 'a', headers: { ab: ['é', 'c'] } }]),
      coalescing.send([{ key: 'k', value: 'b', headers: { ce: 'éé' } }]),
      coalescing.send([message('c')]),
    ];
    for (let i = 0; i < 3; i++) {
      await tick();
      sender.requests[i].settle();
    }
    await Promise.all(calls);
    expect(sender.requests.map((r) => r.values)).toEqual([['x'], ['a'], ['b', 'c']]);
  });

  it('keeps requests within the message and byte limits, never splitting one call', async () => {
    const sender = new ManualSender();
    const coalescing = new CoalescingSender(sender, 'events', { maxMessages: 3, maxBytes: 10 });
    const calls = [
      coalescing.send([message('x')]),
      coalescing.send([message('1'), message('2')]),
      coalescing.send([message('3'), message('4')]),
      coalescing.send([message('0123456789')]),
      coalescing.send([message('5')]),
    ];
    for (let i = 0; i < 5; i++) {
      await tick();
      sender.requests[i].settle();
    }
    await Promise.all(calls);
    // Sizes count key and value bytes: 'k' + '0123456789' is over 10 and still goes, alone.
    expect(sender.requests.map((r) => r.values)).toEqual([
      ['x'],
      ['1', '2'],
      ['3', '4'],
      ['0123456789'],
      ['5'],
    ]);
  });

  it('fails every call of a request that failed for all', async () => {
    const sender = new ManualSender();
    const coalescing = new CoalescingSender(sender, 'events');
    const first = coalescing.send([message('a')]);
    const second = coalescing.send([message('b')]);
    const third = coalescing.send([message('c')]);
    await tick();
    sender.requests[0].settle(new Error('broker down'));
    await expect(first).rejects.toThrow('broker down');
    await tick();
    sender.requests[1].settle(new Error('broker down'));
    await expect(Promise.all([second, third])).rejects.toThrow('broker down');
  });

  it('sends each call alone when the broker refuses the records, so one cannot sink the others', async () => {
    const sender = new ManualSender();
    const coalescing = new CoalescingSender(sender, 'events');
    const blocker = coalescing.send([message('first')]);
    const good = coalescing.send([message('good')]);
    const huge = coalescing.send([message('huge')]);
    await tick();
    sender.requests[0].settle();
    await blocker;
    await tick();
    sender.requests[1].settle(Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }));
    await tick();
    sender.requests[2].settle();
    await tick();
    sender.requests[3].settle(Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }));
    await expect(good).resolves.toBeUndefined();
    await expect(huge).rejects.toThrow('too large');
    expect(sender.requests.map((r) => r.values)).toEqual([
      ['first'],
      ['good', 'huge'],
      ['good'],
      ['huge'],
    ]);
  });

  it('withdraws a call still waiting, not one already in a request', async () => {
    const sender = new ManualSender();
    const coalescing = new CoalescingSender(sender, 'events');
    const first = coalescing.queue([message('a')]);
    const withdrawn = coalescing.queue([message('b')]);
    const kept = coalescing.send([message('c')]);
    expect(withdrawn.withdraw(new Error('timed out'))).toBe(true);
    await expect(withdrawn.acked).rejects.toThrow('timed out');
    expect(first.withdraw(new Error('too late'))).toBe(false);
    await tick();
    sender.requests[0].settle();
    await first.acked;
    await tick();
    sender.requests[1].settle();
    await kept;
    expect(sender.requests.map((r) => r.values)).toEqual([['a'], ['c']]);
  });
});
