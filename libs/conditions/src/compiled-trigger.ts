import type { CelEngine } from './cel-engine';
import { toCel } from './json-value';
import {
  type CompiledTriggerExpressions,
  compileTriggerExpressions,
  TriggerExpressionError,
} from './trigger-expressions';
import {
  DEFAULT_DEDUPE_WINDOW,
  isCompoundLogic,
  parseDuration,
  type StoredTrigger,
} from '@flint/contracts';

/** A trigger definition version made ready to evaluate: expressions compiled, durations parsed. */
export interface CompiledTrigger {
  readonly kind: 'compiled';
  readonly id: string;
  readonly version: number;
  readonly definition: StoredTrigger;
  /** The `trigger` variable of its expressions. */
  readonly variable: unknown;
  readonly expressions: CompiledTriggerExpressions;
  readonly dedupeWindowMs: number;
  readonly batch?: { size?: number; timeoutMs?: number };
  readonly debounce?: { periodMs: number; maxWaitMs?: number; deliver: 'last' | 'all' };
  readonly rateLimit?: { limit: number; periodMs: number; onExceed: 'drop' | 'delay' };
  /** An absence trigger: `after` opens a wait of `waitMs` that `missing` ends; without it, silence. */
  readonly expect?: { after?: string; missing: string; waitMs: number };
  /**
   * A compound match: complete once `needed` members have an event (all of them, or `atLeast`),
   * in the order they are listed when `ordered` (`logic: sequence`).
   */
  readonly compound?: { withinMs: number; needed?: number; ordered: boolean };
}

/**
 * A trigger version whose expressions do not compile. The API rejects such definitions, so this only
 * happens when an older or foreign writer put one on the topic; every event that reaches it counts as
 * an error rather than silently doing nothing.
 */
export interface BrokenTrigger {
  readonly kind: 'broken';
  readonly id: string;
  readonly version: number;
  readonly definition: StoredTrigger;
  readonly reason: string;
}

export type IndexedTrigger = CompiledTrigger | BrokenTrigger;

export function compileTrigger(engine: CelEngine, definition: StoredTrigger): IndexedTrigger {
  let expressions: CompiledTriggerExpressions;
  try {
    expressions = compileTriggerExpressions(engine, definition);
  } catch (err) {
    if (!(err instanceof TriggerExpressionError)) throw err;
    return {
      kind: 'broken',
      id: definition.id,
      version: definition.version,
      definition,
      reason: err.message,
    };
  }
  const { batch, debounce, rateLimit, expect, within } = definition;
  return {
    kind: 'compiled',
    id: definition.id,
    version: definition.version,
    definition,
    variable: toCel({
      id: definition.id,
      owner: definition.owner,
      version: definition.version,
      ...(definition.description === undefined ? {} : { description: definition.description }),
    }),
    expressions,
    dedupeWindowMs: parseDuration(definition.dedupe?.window ?? DEFAULT_DEDUPE_WINDOW),
    batch: batch && {
      size: batch.size,
      timeoutMs: batch.timeout === undefined ? undefined : parseDuration(batch.timeout),
    },
    debounce: debounce && {
      periodMs: parseDuration(debounce.period),
      maxWaitMs: debounce.maxWait === undefined ? undefined : parseDuration(debounce.maxWait),
      deliver: debounce.deliver,
    },
    rateLimit: rateLimit && {
      limit: rateLimit.limit,
      periodMs: parseDuration(rateLimit.period),
      onExceed: rateLimit.onExceed,
    },
    expect: expect && {
      ...(expect.after === undefined ? {} : { after: expect.after }),
      missing: expect.missing,
      waitMs: parseDuration((expect.within ?? expect.for) as string),
    },
    compound:
      isCompoundLogic(definition.logic) && within !== undefined
        ? {
            withinMs: parseDuration(within),
            ordered: definition.logic === 'sequence',
            ...(typeof definition.logic === 'object' && { needed: definition.logic.atLeast }),
          }
        : undefined,
  };
}
