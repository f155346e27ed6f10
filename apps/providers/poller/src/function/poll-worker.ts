import { parentPort, workerData } from 'node:worker_threads';
import { errorText, errorType } from '@flint/common';
import { isPollFunction, type Json, type PollContext, type PollFunction } from '@flint/sdk';
import { loadModule, resolveSdkToFlintsOwn } from '@flint/user-code';
import type { FromPoller, FromWorker, PollRequest, PollWorkerData } from './worker-protocol';

/**
 * The worker thread a poll function runs in: it loads the function's module once, then answers one
 * poll at a time. Whatever the function does (throws, hangs, runs out of memory), the poller's own
 * thread stays free; it terminates this worker when a poll outlives its timeout.
 */
const { file, exportName } = workerData as PollWorkerData;
const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);

resolveSdkToFlintsOwn();
const fn = loadModule(file)[exportName];
if (!isPollFunction(fn))
  throw new Error(`${file} no longer exports the poll function ${exportName}`);

const pendingSecrets = new Map<
  number,
  { resolve: (v: string) => void; reject: (e: Error) => void }
>();
let nextSecretId = 1;
let controller = new AbortController();

port.on('message', (message: FromPoller) => {
  if (message.kind === 'poll') void poll(fn, message);
  else if (message.kind === 'abort') controller.abort(new Error('the poll was stopped'));
  else {
    const pending = pendingSecrets.get(message.id);
    pendingSecrets.delete(message.id);
    if (message.value !== undefined) pending?.resolve(message.value);
    else pending?.reject(new Error(message.error ?? 'secret not available'));
  }
});

async function poll(fn: PollFunction, request: PollRequest): Promise<void> {
  controller = new AbortController();
  const state = new Map(Object.entries(request.state));
  const ctx: PollContext = {
    sourceId: request.sourceId,
    config: request.config,
    signal: controller.signal,
    log: (message) => send({ kind: 'log', message: String(message) }),
    secret: (name) =>
      new Promise((resolve, reject) => {
        const id = nextSecretId++;
        pendingSecrets.set(id, { resolve, reject });
        send({ kind: 'secret', id, name });
      }),
    state: {
      get: <T extends Json>(key: string) => state.get(key) as T | undefined,
      set: (key, value) => void state.set(key, structuredClone(value)),
      delete: (key) => void state.delete(key),
    },
  };
  try {
    const result = await fn.run(ctx);
    send({ kind: 'done', result, state: Object.fromEntries(state) });
  } catch (err) {
    send({ kind: 'failed', error: describe(err) });
  }
}

/** The class name as the type, as the runner records a workflow's error. */
function describe(err: unknown): { type: string; message: string; stack?: string } {
  if (!(err instanceof Error)) return { type: 'Error', message: errorText(err) };
  return {
    type: errorType(err),
    message: errorText(err),
    ...(err.stack ? { stack: err.stack } : {}),
  };
}
