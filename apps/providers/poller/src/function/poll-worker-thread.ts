import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { errorText } from '@flint/common';
import type { Json, PollResult } from '@flint/sdk';
import type { FromPoller, FromWorker, PollWorkerData } from './worker-protocol';

/** A poll that did not give a result: its type says why (the function's error class, or ours). */
export class PollFunctionError extends Error {
  override readonly name = 'PollFunctionError';

  constructor(
    readonly type: string,
    message: string,
    /** The function's stack, when it threw. */
    readonly functionStack?: string,
  ) {
    super(`${type}: ${message}`);
  }
}

export interface PollOptions {
  sourceId: string;
  config: unknown;
  state: Record<string, Json>;
  timeoutMs: number;
}

export interface PollWorkerOptions extends PollWorkerData {
  /** The worker's heap limit. */
  memoryLimitMb: number;
  secret: (name: string) => Promise<string>;
  log: (message: string) => void;
}

/**
 * The worker the poller runs here: compiled JavaScript in production; when the poller itself runs
 * from TypeScript (tests, ts-node), the worker is TypeScript too and gets the same loader.
 */
const WORKER_FILE = join(__dirname, `poll-worker${extname(__filename)}`);
const WORKER_EXEC_ARGV =
  extname(__filename) === '.ts'
    ? ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register']
    : [];

/**
 * One source's poll function in a worker thread with a heap limit, started on the first poll and
 * kept for the next ones. A poll that outlives its timeout terminates the worker (a function that
 * never yields cannot be interrupted otherwise); so does running out of memory. Either way the poll
 * fails with a PollFunctionError and the next poll starts a fresh worker.
 */
export class PollWorkerThread {
  private worker: Worker | undefined;

  constructor(private readonly options: PollWorkerOptions) {}

  poll(request: PollOptions): Promise<{ result: PollResult; state: Record<string, Json> }> {
    const worker = this.start();
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        outcome();
      };
      const fail = (type: string, message: string, stack?: string) =>
        finish(() => reject(new PollFunctionError(type, message, stack)));
      const timer = setTimeout(() => {
        this.discard(worker);
        fail('TimeoutError', `the poll did not finish within ${request.timeoutMs} ms`);
      }, request.timeoutMs);
      const onMessage = (message: FromWorker) => {
        if (message.kind === 'log') this.options.log(message.message);
        else if (message.kind === 'secret')
          void this.answerSecret(worker, message.id, message.name);
        else if (message.kind === 'done') {
          finish(() => resolve({ result: message.result, state: message.state }));
        } else fail(message.error.type, message.error.message, message.error.stack);
      };
      const onError = (err: Error) => {
        this.discard(worker);
        const code = (err as { code?: string }).code;
        if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
          fail(
            'OutOfMemoryError',
            `the poll function used more than its ${this.options.memoryLimitMb} MiB heap limit`,
          );
        } else fail(err.name === 'Error' ? 'WorkerError' : err.name, errorText(err), err.stack);
      };
      const onExit = (code: number) => {
        this.discard(worker);
        fail('WorkerExitedError', `the poll function's worker exited with code ${code}`);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const message: FromPoller = { kind: 'poll', ...request };
      worker.postMessage(message);
    });
  }

  /** Stops the worker; a poll in flight fails. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const { file, exportName, memoryLimitMb } = this.options;
    const data: PollWorkerData = { file, exportName };
    this.worker = new Worker(WORKER_FILE, {
      workerData: data,
      execArgv: WORKER_EXEC_ARGV,
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb, maxYoungGenerationSizeMb: 16 },
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    return this.worker;
  }

  private discard(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }

  private async answerSecret(worker: Worker, id: number, name: string): Promise<void> {
    let answer: FromPoller;
    try {
      answer = { kind: 'secret', id, value: await this.options.secret(name) };
    } catch (err) {
      answer = { kind: 'secret', id, error: errorText(err) };
    }
    worker.postMessage(answer);
  }
}
