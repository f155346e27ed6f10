import { checkName, InvalidDefinitionError, KIND } from './names';

/** Any value JSON can carry: what a poll function fires with and keeps in its state. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A small persisted state of one source's poll function: it survives restarts and moves with the
 * source's lease to whichever poller replica runs it next. Values must be JSON; the whole state is
 * at most 64 KiB.
 */
export interface PollState {
  get<T extends Json = Json>(key: string): T | undefined;
  set(key: string, value: Json): void;
  delete(key: string): void;
}

/** What a poll function gets on each poll. */
export interface PollContext<Config = unknown> {
  /** The id of the `provider: function` source that runs the function. */
  readonly sourceId: string;
  /** The source's `config.config`, as the definition gives it. */
  readonly config: Config;
  /** Aborted when the poll's timeout passes or the poller shuts down. */
  readonly signal: AbortSignal;
  readonly state: PollState;
  /** A secret by reference, as every other Flint secret (`flint secret set NAME`). */
  secret(name: string): Promise<string>;
  /** Logs a line with the source id in the poller's log. */
  log(message: string): void;
}

/**
 * What one poll found. Each context is one event's data and its dedupe key: the same context fires
 * again only when `allowConcurrent` is true or the run it started has finished.
 */
export type PollResult = { fire: false } | { fire: true; context: Json | Json[] };

export interface PollFunction<Config = unknown> {
  /** What sources name in `config.function`; a slug like "inbox". */
  readonly name: string;
  readonly description?: string;
  /** How often to poll by default, like "30s" or "5m" (a source may override it). Default 1m. */
  readonly interval?: string;
  /** How long one poll may take, like "10s". Default 30s. */
  readonly timeout?: string;
  /** Fire a context again while the run it started is still going. Default false. */
  readonly allowConcurrent?: boolean;
  /** The worker thread's heap limit in MiB. Default 128. */
  readonly memoryLimitMb?: number;
  run(ctx: PollContext<Config>): PollResult | Promise<PollResult>;
}

const DURATION = /^(\d+(ms|s|m|h|d))+$/;

/** Checks a poll function where it is declared and marks it for Flint's loader. */
export function definePollFunction<Config = unknown>(
  fn: PollFunction<Config>,
): PollFunction<Config> {
  checkName('poll function', fn.name);
  const problem = (field: string, rule: string) =>
    new InvalidDefinitionError(`poll function "${fn.name}": ${field} ${rule}`);
  if (typeof fn.run !== 'function') throw problem('run', 'must be a function run(ctx)');
  for (const field of ['interval', 'timeout'] as const) {
    const value = fn[field];
    if (value !== undefined && (typeof value !== 'string' || !DURATION.test(value))) {
      throw problem(
        field,
        `must be a duration like "30s", "5m", "500ms", got ${JSON.stringify(value)}`,
      );
    }
  }
  if (fn.allowConcurrent !== undefined && typeof fn.allowConcurrent !== 'boolean') {
    throw problem('allowConcurrent', 'must be true or false');
  }
  const limit = fn.memoryLimitMb;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 16 || limit > 4096)) {
    throw problem(
      'memoryLimitMb',
      `must be a whole number from 16 to 4096, got ${JSON.stringify(limit)}`,
    );
  }
  return Object.defineProperty({ ...fn }, KIND, { value: 'poll-function' });
}

/** Whether a value (an export of a user module) was made by `definePollFunction`. */
export function isPollFunction(value: unknown): value is PollFunction {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[KIND] === 'poll-function'
  );
}
