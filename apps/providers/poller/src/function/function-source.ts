import { type Log, errorText } from '@flint/common';
import {
  DEFAULT_FUNCTION_EVENT_TYPE,
  type FunctionSourceConfig,
  parseDuration,
} from '@flint/contracts';
import {
  type Emit,
  InvalidSourceError,
  type SourceContext,
  type SourceOf,
  type SourceProviderImpl,
} from '@flint/provider-sdk';
import type { Json, PollFunction, PollResult } from '@flint/sdk';
import {
  PollHistoryRepository,
  type PollRecord,
  ProviderStateRepository,
  RunsOfEventRepository,
  type Store,
} from '@flint/store';
import type { UserDefinition } from '@flint/user-code';
import { type PollBackoff, PollerSourceRunner } from '../polling/poller-source-runner';
import { type FiredContext, planFiring, type RunsOfEvent } from './fired-contexts';
import { PollFunctionError, PollWorkerThread } from './poll-worker-thread';

export const DEFAULT_FUNCTION_INTERVAL = '1m';
export const DEFAULT_FUNCTION_TIMEOUT = '30s';
export const DEFAULT_FUNCTION_MEMORY_MB = 128;
/** The most JSON a function's state may hold. */
export const MAX_STATE_BYTES = 64 * 1024;
/** The most contexts one poll may fire. */
export const MAX_CONTEXTS_PER_POLL = 1000;
/** Runs are looked up from a while before the event was emitted: replicas' clocks differ. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** A function source ready to run: the function found and its settings resolved. */
export interface PreparedFunction {
  definition: UserDefinition<PollFunction>;
  intervalMs: number;
  timeoutMs: number;
  allowConcurrent: boolean;
  memoryLimitMb: number;
  eventType: string;
  config: Record<string, unknown>;
}

/** One poll's outcome, for the runner's log and the poll history. */
export interface FunctionPollOutcome {
  fired: number;
  skipped: number;
}

const STATE_KEY = 'state';
const FIRED_KEY = 'fired';

/**
 * Runs poll functions from FLINT_FUNCTIONS_DIR (`provider: function` sources): each source polls its
 * function on its interval in a worker thread of its own (see PollWorkerThread), emits one event per
 * fired context, and keeps the function's state and the contexts it fired in `provider_state`, so
 * both survive restarts and move with the lease. Exclusive, like every poller source.
 */
export class FunctionSourceProvider implements SourceProviderImpl<'function', PreparedFunction> {
  readonly kind = 'function';
  readonly exclusive = true;
  private readonly functions: ReadonlyMap<string, UserDefinition<PollFunction>>;

  constructor(
    functions: readonly UserDefinition<PollFunction>[],
    private readonly options: { backoff?: Partial<PollBackoff> } = {},
  ) {
    this.functions = new Map(functions.map((d) => [d.value.name, d]));
  }

  validate(config: FunctionSourceConfig): PreparedFunction {
    const definition = this.functions.get(config.function);
    if (!definition) {
      const known = [...this.functions.keys()].sort();
      throw new InvalidSourceError(
        `no poll function named "${config.function}" is loaded in this poller; loaded: ${
          known.length > 0 ? known.join(', ') : 'none (set FLINT_FUNCTIONS_DIR)'
        }`,
      );
    }
    const fn = definition.value;
    return {
      definition,
      intervalMs: parseDuration(config.interval ?? fn.interval ?? DEFAULT_FUNCTION_INTERVAL),
      timeoutMs: parseDuration(config.timeout ?? fn.timeout ?? DEFAULT_FUNCTION_TIMEOUT),
      allowConcurrent: fn.allowConcurrent ?? false,
      memoryLimitMb: fn.memoryLimitMb ?? DEFAULT_FUNCTION_MEMORY_MB,
      eventType: config.eventType ?? DEFAULT_FUNCTION_EVENT_TYPE,
      config: config.config ?? {},
    };
  }

  async run(ctx: SourceContext<'function', PreparedFunction>, emit: Emit): Promise<void> {
    const prepared = ctx.config;
    const { file, exportName } = prepared.definition;
    const thread = new PollWorkerThread({
      file,
      exportName,
      memoryLimitMb: prepared.memoryLimitMb,
      secret: (name) => ctx.secrets.resolve(name),
      log: (line) => ctx.log('info', line, { function: prepared.definition.value.name }),
    });
    const poll = new FunctionPoll(ctx, prepared, thread, emit);
    const runner = new PollerSourceRunner({
      poll: async () => ({ pages: 1, emitted: (await poll.once()).fired, notModified: false }),
      intervalMs: prepared.intervalMs,
      jitterMs: 0,
      clock: ctx.clock,
      log: ctx.log,
      health: ctx.health,
      backoff: this.options.backoff,
    });
    try {
      await runner.run(ctx.signal);
    } finally {
      await thread.close();
    }
  }

  async retire(source: SourceOf<'function'>, store: Store): Promise<void> {
    await new ProviderStateRepository(store, 'function').delete(source.id);
    await new PollHistoryRepository(store).forget(source.id);
  }
}

/** One source's polls: the worker's answer checked, its contexts emitted, then its state kept. */
class FunctionPoll {
  private readonly state: ProviderStateRepository;
  private readonly runs: RunsOfEventRepository;
  private readonly history: PollHistoryRepository;
  private readonly log: Log;

  constructor(
    private readonly ctx: SourceContext<'function', PreparedFunction>,
    private readonly prepared: PreparedFunction,
    private readonly thread: PollWorkerThread,
    private readonly emit: Emit,
  ) {
    this.state = new ProviderStateRepository(ctx.store, 'function');
    this.runs = new RunsOfEventRepository(ctx.store);
    this.history = new PollHistoryRepository(ctx.store);
    this.log = ctx.log;
  }

  /** Polls once and records the outcome in the poll history, a failure too (then rethrown). */
  async once(): Promise<FunctionPollOutcome> {
    const started = this.ctx.clock.now();
    const record = (poll: Omit<PollRecord, 'polledAt' | 'durationMs'>) =>
      this.record({
        polledAt: new Date(started),
        durationMs: Math.max(0, this.ctx.clock.now() - started),
        ...poll,
      });
    try {
      const outcome = await this.poll();
      await record({ outcome: outcome.fired > 0 ? 'fired' : 'not-fired', ...outcome });
      return outcome;
    } catch (err) {
      const error =
        err instanceof PollFunctionError
          ? { type: err.type, message: err.detail }
          : { type: err instanceof Error ? err.name : 'Error', message: errorText(err) };
      await record({ outcome: 'failed', fired: 0, skipped: 0, error });
      throw err;
    }
  }

  /** A history that cannot be written (the database is away) must not fail the poll. */
  private async record(poll: PollRecord): Promise<void> {
    try {
      await this.history.record(this.ctx.source.id, poll);
    } catch (err) {
      this.log('warn', `could not record the poll in the poll history: ${errorText(err)}`);
    }
  }

  private async poll(): Promise<FunctionPollOutcome> {
    const sourceId = this.ctx.source.id;
    const saved = await this.state.entries(sourceId);
    const state = (saved.get(STATE_KEY) ?? {}) as Record<string, Json>;
    const fired = (saved.get(FIRED_KEY) ?? {}) as Record<string, FiredContext>;
    let answer: { result: PollResult; state: Record<string, Json> };
    try {
      answer = await this.thread.poll({
        sourceId,
        config: this.prepared.config,
        state,
        timeoutMs: this.prepared.timeoutMs,
      });
    } catch (err) {
      const stack = err instanceof PollFunctionError ? err.functionStack : undefined;
      this.log(
        'warn',
        `poll function ${this.prepared.definition.value.name} failed: ${errorText(err)}`,
        {
          function: this.prepared.definition.value.name,
          ...(stack ? { stack } : {}),
        },
      );
      throw err;
    }
    const contexts = firedContexts(answer.result);
    checkState(answer.state);
    const plan = await planFiring({
      contexts,
      allowConcurrent: this.prepared.allowConcurrent,
      eventType: this.prepared.eventType,
      now: new Date(this.ctx.clock.now()),
      remembered: fired,
      runsOf: (previous) => this.runsOf(previous),
    });
    // Emitted before the state is kept: a crash in between polls again from the old state, so a
    // context may fire twice (with the same id when allowConcurrent is false), never be lost.
    if (plan.events.length > 0) await this.emit.many(plan.events);
    await this.state.putMany(sourceId, [
      [STATE_KEY, answer.state],
      [FIRED_KEY, plan.remembered],
    ]);
    return { fired: plan.events.length, skipped: plan.skipped };
  }

  private async runsOf(previous: FiredContext): Promise<RunsOfEvent> {
    const since = new Date(Date.parse(previous.emittedAt) - CLOCK_SKEW_MS);
    const statuses = await this.runs.statuses(previous.eventId, since);
    if (statuses.length === 0) return 'none';
    return statuses.some((s) => s === 'REQUESTED' || s === 'STARTED') ? 'in-progress' : 'finished';
  }
}

/** The contexts of a poll's result; a malformed result is the function's mistake, a failed poll. */
function firedContexts(result: PollResult): unknown[] {
  if (typeof result !== 'object' || result === null || typeof result.fire !== 'boolean') {
    throw new PollFunctionError(
      'InvalidPollResultError',
      `a poll function must return { fire: false } or { fire: true, context }, got ${preview(result)}`,
    );
  }
  if (!result.fire) return [];
  if (!('context' in result) || result.context === undefined) {
    throw new PollFunctionError('InvalidPollResultError', '{ fire: true } needs a context');
  }
  const contexts = Array.isArray(result.context) ? result.context : [result.context];
  if (contexts.length > MAX_CONTEXTS_PER_POLL) {
    throw new PollFunctionError(
      'InvalidPollResultError',
      `one poll may fire at most ${MAX_CONTEXTS_PER_POLL} contexts, got ${contexts.length}`,
    );
  }
  return contexts;
}

function checkState(state: Record<string, Json>): void {
  const bytes = Buffer.byteLength(JSON.stringify(state));
  if (bytes > MAX_STATE_BYTES) {
    throw new PollFunctionError(
      'StateTooLargeError',
      `the function's state is ${bytes} bytes of JSON; it may hold at most ${MAX_STATE_BYTES}`,
    );
  }
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
