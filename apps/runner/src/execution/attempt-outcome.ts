import { errorType } from '@flint/common';
import type { RunError } from '@flint/contracts';
import type { RunResponse } from '@flint/store';

/** How one attempt to start a run's target ended, as the target reports it. */
export type AttemptOutcome =
  | {
      kind: 'succeeded';
      result: unknown;
      response?: RunResponse;
      logLines?: string[];
    }
  | {
      kind: 'failed';
      error: RunError;
      /** Worth another attempt: a network error, a timeout, 5xx or 429. */
      retryable: boolean;
      /** The target asked to wait this long before trying again (429 or 503 with Retry-After). */
      retryAfterMs?: number;
      response?: RunResponse;
      logLines?: string[];
    };

export function failed(
  type: string,
  message: string,
  retryable: boolean,
  extra: { retryAfterMs?: number; response?: RunResponse; logLines?: string[] } = {},
): AttemptOutcome {
  return { kind: 'failed', error: runError(type, message), retryable, ...extra };
}

/** The error type of a cancelled run, in its run-status event and its record. */
export const CANCELLED_ERROR_TYPE = 'CancelledError';

/** A RunError within the contract's bounds. */
export function runError(type: string, message: string): RunError {
  return { type: (type || 'Error').slice(0, 256), message: message.slice(0, 8192) };
}

/** The error type of anything thrown: its class name, else `Error`. */
export function errorOf(err: unknown): RunError {
  if (err instanceof Error) return runError(errorType(err), err.message || String(err));
  return runError('Error', typeof err === 'string' ? err : safeString(err));
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
