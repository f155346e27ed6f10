import type { RunRequest } from '@flint/contracts';
import { decodeCloudEvent, type EventProducer, type MessageToDecode } from '@flint/kafka';
import { defineWorkflow, WorkflowRegistry } from '@flint/workflows';
import { LocalTargetStarter, MAX_LOG_LINES } from './local-target';
import { WorkflowEvents } from './workflow-events';

class QuotaError extends Error {
  override readonly name = 'QuotaError';
}

const registry = new WorkflowRegistry([
  defineWorkflow({ name: 'double', run: (input) => ({ doubled: (input as number) * 2 }) }),
  defineWorkflow({
    name: 'chatty',
    run(_input, ctx) {
      for (let i = 0; i < MAX_LOG_LINES + 5; i++) ctx.log(`line ${i}`);
      return 'done';
    },
  }),
  defineWorkflow({
    name: 'quota',
    run() {
      throw new QuotaError('quota exceeded');
    },
  }),
  defineWorkflow({ name: 'bigint', run: () => ({ n: 1n }) }),
  defineWorkflow({
    name: 'probe',
    async run(input, ctx) {
      for (const url of input as string[]) await ctx.emit('com.example.probe', { url });
      await ctx.emit('com.example.probe.done', undefined, { id: 'probe-done' });
      return (input as string[]).length;
    },
  }),
  defineWorkflow({
    name: 'emits-flint',
    run: (_input, ctx) => ctx.emit('flint.run.succeeded', {}),
  }),
  defineWorkflow({
    name: 'slow',
    run: (_input, ctx) =>
      new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('stopped'))),
  }),
]);

const sent: Array<{ topic: string; message: unknown }> = [];
const producer = {
  send: async (topic: string, messages: unknown[]) => {
    for (const message of messages) sent.push({ topic, message });
    return [];
  },
} as unknown as EventProducer;
const starter = new LocalTargetStarter(
  registry,
  new WorkflowEvents({ producer, topic: 'events', now: () => new Date('2024-05-01T12:00:01Z') }),
);

const request = (workflow: string, input: unknown = 21, timeoutMs = 5000): RunRequest => ({
  runId: 'r-1',
  triggerId: 't',
  triggerVersion: 1,
  owner: 'default',
  target: { type: 'local', workflow, timeoutMs },
  input,
  eventIds: ['e'],
  retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 } },
  requestedAt: '2024-05-01T12:00:00Z',
  acceptedAt: '2024-05-01T12:00:00Z',
  provider: 'api',
});

describe('LocalTargetStarter', () => {
  it('returns what the workflow returned as the result', async () => {
    expect(await starter.start({ request: request('double'), attempt: 1 })).toEqual({
      kind: 'succeeded',
      result: { doubled: 42 },
      logLines: [],
    });
  });

  it('fails with the thrown error class as the type, not retryable', async () => {
    expect(await starter.start({ request: request('quota'), attempt: 1 })).toEqual({
      kind: 'failed',
      error: { type: 'QuotaError', message: 'quota exceeded' },
      retryable: false,
      logLines: [],
    });
  });

  it('fails with TimeoutError and aborts the signal when the timeout passes', async () => {
    const outcome = await starter.start({ request: request('slow', null, 50), attempt: 1 });
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: { type: 'TimeoutError', message: 'workflow "slow" did not finish within 50 ms' },
    });
  });

  it('keeps a bounded log and says how many lines were dropped', async () => {
    const outcome = await starter.start({ request: request('chatty'), attempt: 1 });
    expect(outcome.logLines).toHaveLength(MAX_LOG_LINES + 1);
    expect(outcome.logLines?.[0]).toMatch(/^\d{4}-\d\d-\d\dT.* line 0$/);
    expect(outcome.logLines?.at(-1)).toBe(
      `… 5 more lines were dropped (at most ${MAX_LOG_LINES} are kept)`,
    );
  });

  it('rejects a result that is not JSON', async () => {
    expect(await starter.start({ request: request('bigint'), attempt: 1 })).toMatchObject({
      kind: 'failed',
      error: { type: 'ResultNotSerializableError' },
    });
  });

  it('names the registered workflows when the target names an unknown one', () => {
    expect(starter.precheck(request('triple'))).toEqual({
      kind: 'failed',
      error: {
        type: 'UnknownWorkflowError',
        message:
          'no local workflow named "triple" is registered in this runner; registered: bigint, chatty, double, emits-flint, probe, quota, slow',
      },
      retryable: false,
    });
    expect(starter.precheck(request('double'))).toBeUndefined();
  });

  it('publishes what ctx.emit sends, from the run, keyed with the run status events', async () => {
    sent.length = 0;
    const outcome = await starter.start({
      request: request('probe', ['https://a.example', 'https://b.example']),
      attempt: 1,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(outcome).toMatchObject({ kind: 'succeeded', result: 2 });
    const events = sent.map(({ topic, message }) => {
      expect(topic).toBe('events');
      return decodeCloudEvent(message as MessageToDecode);
    });
    expect(events.map((e) => [e.id, e.type, e.data])).toEqual([
      ['r-1:1', 'com.example.probe', { url: 'https://a.example' }],
      ['r-1:2', 'com.example.probe', { url: 'https://b.example' }],
      ['probe-done', 'com.example.probe.done', undefined],
    ]);
    expect(events[0]).toMatchObject({
      source: 'r-1',
      subject: 'probe',
      flintsourceid: 't',
      flintprovider: 'workflow',
      flintowner: 'default',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
  });

  it("refuses an emit of Flint's own event types: the workflow fails with EmitRefusedError", async () => {
    expect(await starter.start({ request: request('emits-flint'), attempt: 1 })).toMatchObject({
      kind: 'failed',
      error: {
        type: 'EmitRefusedError',
        message: `ctx.emit: event types starting with "flint." are Flint's own, got "flint.run.succeeded"`,
      },
    });
  });
});
