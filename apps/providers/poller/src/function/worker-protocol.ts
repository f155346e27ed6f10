import type { Json, PollResult } from '@flint/sdk';

/** What the poller gives a poll function's worker thread when it starts it. */
export interface PollWorkerData {
  /** The module that exports the function, and under which name. */
  file: string;
  exportName: string;
}

/** The poller asks for one poll; the worker answers with `PollDone` or `PollFailed`. */
export interface PollRequest {
  kind: 'poll';
  sourceId: string;
  config: unknown;
  state: Record<string, Json>;
}

export type FromPoller =
  PollRequest | { kind: 'secret'; id: number; value?: string; error?: string } | { kind: 'abort' };

export interface PollDone {
  kind: 'done';
  result: PollResult;
  state: Record<string, Json>;
}

export interface PollFailed {
  kind: 'failed';
  error: { type: string; message: string; stack?: string };
}

export type FromWorker =
  | PollDone
  | PollFailed
  | { kind: 'log'; message: string }
  | { kind: 'secret'; id: number; name: string };
