import { join } from 'node:path';
import {
  PollFunctionError,
  PollWorkerThread,
} from '../../../../../apps/providers/poller/src/function/poll-worker-thread';

const FUNCTIONS = join(__dirname, '..', '..', '..', '..', 'fixtures', 'user-code', 'functions');

function thread(file: string, exportName: string, memoryLimitMb = 128) {
  const lines: string[] = [];
  const worker = new PollWorkerThread({
    file: join(FUNCTIONS, file),
    exportName,
    memoryLimitMb,
    secret: async (name) => {
      if (name === 'inbox-token') return 's3cret-value';
      throw new Error(`secret ${name} is not set`);
    },
    log: (line) => lines.push(line),
  });
  return { worker, lines };
}

const poll = { sourceId: 'src', config: {}, state: {}, timeoutMs: 60_000 };

async function failure(promise: Promise<unknown>): Promise<PollFunctionError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PollFunctionError);
  return err as PollFunctionError;
}

describe('a poll function in its worker thread', () => {
  it('returns what the function fired and its new state, and keeps the worker for the next poll', async () => {
    const { worker, lines } = thread('counter.ts', 'default');
    try {
      const first = await worker.poll(poll);
      expect(first).toEqual({ result: { fire: true, context: { polls: 1 } }, state: { polls: 1 } });
      const second = await worker.poll({ ...poll, state: first.state, config: { every: 2 } });
      expect(second.result).toEqual({ fire: true, context: { polls: 2 } });
      expect(lines).toEqual(['poll 1', 'poll 2']);
    } finally {
      await worker.close();
    }
  });

  it('fails a poll that throws with the error class as its type and the function stack', async () => {
    const { worker } = thread('misbehaving.ts', 'throws');
    try {
      const err = await failure(worker.poll(poll));
      expect(err.type).toBe('InboxUnreachableError');
      expect(err.message).toBe('InboxUnreachableError: the inbox did not answer');
      expect(err.functionStack).toContain('misbehaving.ts');
    } finally {
      await worker.close();
    }
  });

  it('terminates a poll that hangs at its timeout, and polls again with a fresh worker', async () => {
    const { worker } = thread('misbehaving.ts', 'hangs');
    try {
      const err = await failure(worker.poll({ ...poll, timeoutMs: 2000 }));
      expect(err.type).toBe('TimeoutError');
      expect((await failure(worker.poll({ ...poll, timeoutMs: 2000 }))).type).toBe('TimeoutError');
    } finally {
      await worker.close();
    }
  });

  it('fails a poll that runs out of memory with OutOfMemoryError, without harming this thread', async () => {
    const { worker } = thread('misbehaving.ts', 'leaks', 32);
    try {
      const err = await failure(worker.poll(poll));
      expect(err.type).toBe('OutOfMemoryError');
      expect(err.message).toContain('32 MiB');
    } finally {
      await worker.close();
    }
  });

  it('hands the function a secret by reference, and says when one is missing', async () => {
    const { worker } = thread('misbehaving.ts', 'revealsSecret');
    try {
      const found = await worker.poll({ ...poll, config: { secret: 'inbox-token' } });
      expect(found.result).toEqual({ fire: true, context: { length: 12 } });
      const err = await failure(worker.poll({ ...poll, config: { secret: 'other' } }));
      expect(err.message).toBe('Error: secret other is not set');
    } finally {
      await worker.close();
    }
  });
});
