import {
  type ConditionMiss,
  type FormattedIssue,
  formatIssuePath,
  type InputMapping,
  isCompoundLogic,
  type Match,
  type MatchMiss,
  MAX_RUN_PRIORITY,
  MIN_RUN_PRIORITY,
  type Priority,
  type TriggerLogic,
} from '@flint/contracts';
import type { CelActivation, CelEngine, CelVariable, CompiledExpression } from './cel-engine';
import { CelCompileError, CelEvaluationError } from './errors';
import type { EventContext } from './event-context';
import { compileInputMapping, type InputMapper, type InputScope } from './input-mapping';
import { fromCel, NotJsonError } from './json-value';
import { compileMatch } from './match';
import { conditionExplainer, matchExplainer } from './why-false';

/** The parts of a trigger definition that hold expressions. */
export interface TriggerExpressionSource {
  condition?: string;
  match?: Match;
  logic?: TriggerLogic;
  correlate?: string;
  dedupe?: { key?: string };
  batch?: { key?: string };
  debounce?: { key?: string; deliver?: 'last' | 'all' };
  rateLimit?: { key?: string };
  expect?: { key?: string };
  concurrency?: { key?: string };
  priority?: Priority;
  cancelOn?: { condition?: string; match?: string };
  input?: InputMapping;
}

/** Decides whether one event passes a trigger's `match` and `condition`. */
export interface EventFilter {
  /** Throws `CelEvaluationError` when the condition fails on this event. */
  matches(event: EventContext, trigger: unknown): boolean;
  /**
   * Which part kept the event out (`match` or `condition`), undefined when it passes: what `matches`
   * decides, named at no extra cost, so an outcome can be told without explaining it.
   */
  missed(event: EventContext, trigger: unknown): FilterPart | undefined;
  /**
   * Why `matches` was false for this event: the `match` field that differed, or the part of the
   * condition that was false with its operands' values. Only worth asking after a false.
   */
  explain(event: EventContext, trigger: unknown): FilterMiss;
}

/** The part of a filter an event did not pass. */
export type FilterPart = 'match' | 'condition';

/** Why an event did not pass: the `match` field that differed, else the condition's false part. */
export type FilterMiss = { match: MatchMiss } | { condition: ConditionMiss };

/** A key expression (dedupe, batch, correlation, concurrency) evaluated to a string. */
export interface KeyExpression {
  readonly source: string;
  /** Throws `CelEvaluationError` when the expression fails or gives something that is no key. */
  evaluate(activation: CelActivation): string;
}

/** A trigger's `priority`, evaluated to a whole number within the allowed range. */
export interface PriorityExpression {
  /** Throws `CelEvaluationError` when the expression fails or gives no allowed priority. */
  evaluate(activation: CelActivation): number;
}

export interface CompiledTriggerExpressions {
  /** What the input mapping is computed over. */
  scope: InputScope;
  filter: EventFilter;
  dedupeKey?: KeyExpression;
  batchKey?: KeyExpression;
  debounceKey?: KeyExpression;
  rateLimitKey?: KeyExpression;
  expectKey?: KeyExpression;
  correlate?: KeyExpression;
  concurrencyKey?: KeyExpression;
  priority?: PriorityExpression;
  /** With `cancelOn`: which events cancel, and the key runs and cancelling events are compared by. */
  cancel?: { filter: EventFilter; key?: KeyExpression };
  input: InputMapper;
}

/** Keys end up in run requests, which bound them, and in database keys. */
export const MAX_KEY_LENGTH = 1024;

const EVENT_VARIABLES: readonly CelVariable[] = ['event', 'trigger'];

/** Every expression of a trigger that does not compile, with its path in the definition. */
export class TriggerExpressionError extends Error {
  override readonly name = 'TriggerExpressionError';

  constructor(readonly problems: FormattedIssue[]) {
    super(problems.map((problem) => `${problem.path}: ${problem.message}`).join('; '));
  }
}

export function inputScopeOf(trigger: TriggerExpressionSource): InputScope {
  if (trigger.batch !== undefined || trigger.debounce?.deliver === 'all') return 'batch';
  return isCompoundLogic(trigger.logic) ? 'compound' : 'event';
}

/**
 * Compiles every expression of a trigger, each with the variables its place allows. Throws a
 * `TriggerExpressionError` listing all problems (not just the first), as a save-time check reports them.
 */
export function compileTriggerExpressions(
  engine: CelEngine,
  trigger: TriggerExpressionSource,
): CompiledTriggerExpressions {
  const problems: FormattedIssue[] = [];
  const attempt = <T>(path: PropertyKey[], compile: () => T): T | undefined => {
    try {
      return compile();
    } catch (err) {
      if (!(err instanceof CelCompileError)) throw err;
      problems.push(compileProblem(path, err));
      return undefined;
    }
  };
  const key = (path: PropertyKey[], source: string | undefined) =>
    source === undefined ? undefined : attempt(path, () => compileKey(engine, source));

  const condition = (path: PropertyKey[], source: string | undefined) =>
    source === undefined
      ? undefined
      : attempt(path, () => engine.compile(source, { variables: EVENT_VARIABLES, result: 'bool' }));

  const scope = inputScopeOf(trigger);
  const filterCondition = condition(['condition'], trigger.condition);
  const dedupeKey = key(['dedupe', 'key'], trigger.dedupe?.key);
  const batchKey = key(['batch', 'key'], trigger.batch?.key);
  const debounceKey = key(['debounce', 'key'], trigger.debounce?.key);
  const rateLimitKey = key(['rateLimit', 'key'], trigger.rateLimit?.key);
  const expectKey = key(['expect', 'key'], trigger.expect?.key);
  const correlate = key(['correlate'], trigger.correlate);
  const concurrencyKey = key(['concurrency', 'key'], trigger.concurrency?.key);
  const source = trigger.priority;
  const priority =
    typeof source === 'string'
      ? attempt(['priority'], () => compilePriority(engine, source))
      : source === undefined
        ? undefined
        : { evaluate: () => source };
  const cancelCondition = condition(['cancelOn', 'condition'], trigger.cancelOn?.condition);
  const cancelKey = key(['cancelOn', 'match'], trigger.cancelOn?.match);
  const input = compileInput(engine, trigger.input, scope, problems);
  if (problems.length > 0 || input === undefined) throw new TriggerExpressionError(problems);
  return {
    scope,
    filter: eventFilter(engine, trigger.match, filterCondition),
    dedupeKey,
    batchKey,
    debounceKey,
    rateLimitKey,
    expectKey,
    correlate,
    concurrencyKey,
    priority,
    ...(trigger.cancelOn === undefined
      ? {}
      : {
          cancel: {
            filter: eventFilter(engine, undefined, cancelCondition),
            ...(cancelKey === undefined ? {} : { key: cancelKey }),
          },
        }),
    input,
  };
}

/** The problems `compileTriggerExpressions` would throw; empty when every expression compiles. */
export function triggerExpressionProblems(
  engine: CelEngine,
  trigger: TriggerExpressionSource,
): FormattedIssue[] {
  try {
    compileTriggerExpressions(engine, trigger);
    return [];
  } catch (err) {
    if (err instanceof TriggerExpressionError) return err.problems;
    throw err;
  }
}

/** Each field separately, so every bad field is reported with its own path. */
function compileInput(
  engine: CelEngine,
  mapping: InputMapping | undefined,
  scope: InputScope,
  problems: FormattedIssue[],
): InputMapper | undefined {
  const fields: [PropertyKey[], InputMapping][] =
    typeof mapping === 'object'
      ? Object.entries(mapping).flatMap(([field, value]) =>
          typeof value === 'string' ? [[['input', field], value] as [PropertyKey[], string]] : [],
        )
      : mapping === undefined
        ? []
        : [[['input'], mapping]];
  const before = problems.length;
  for (const [path, expression] of fields) {
    try {
      compileInputMapping(engine, expression, scope);
    } catch (err) {
      if (!(err instanceof CelCompileError)) throw err;
      problems.push(compileProblem(path, err));
    }
  }
  return problems.length > before ? undefined : compileInputMapping(engine, mapping, scope);
}

/** A compile error as a save-time problem, with its position so an editor can mark the spot. */
function compileProblem(path: PropertyKey[], err: CelCompileError): FormattedIssue {
  return {
    path: formatIssuePath(path),
    message: err.message,
    ...(err.position ? { position: err.position } : {}),
  };
}

function eventFilter(
  engine: CelEngine,
  matchDefinition: Match | undefined,
  condition: CompiledExpression | undefined,
): EventFilter {
  const match = matchDefinition && compileMatch(matchDefinition);
  const matchMiss = matchDefinition && matchExplainer(matchDefinition);
  const conditionMiss = condition && conditionExplainer(engine, condition.source, EVENT_VARIABLES);
  const missed = (event: EventContext, trigger: unknown): FilterPart | undefined => {
    if (match && !match(event.view)) return 'match';
    if (!condition) return undefined;
    const result = condition.evaluate({ event: event.cel, trigger });
    if (typeof result !== 'boolean') {
      throw new CelEvaluationError(
        condition.source,
        `the condition must give true or false, but gave ${describe(result)}`,
      );
    }
    return result ? undefined : 'condition';
  };
  return {
    explain(event, trigger) {
      const missed = matchMiss?.(event.view);
      if (missed) return { match: missed };
      if (conditionMiss) return { condition: conditionMiss({ event: event.cel, trigger }) };
      // Nothing differs now: only a condition whose value changes between calls gets here.
      const expression = condition?.source ?? '';
      return { condition: { expression, evaluated: 'false', operands: [] } };
    },
    matches: (event, trigger) => missed(event, trigger) === undefined,
    missed,
  };
}

function compileKey(engine: CelEngine, source: string): KeyExpression {
  const expression = engine.compile(source, { variables: EVENT_VARIABLES });
  return {
    source,
    evaluate(activation) {
      const value = expression.evaluate(activation);
      let key: string;
      try {
        key = typeof value === 'string' ? value : JSON.stringify(fromCel(value));
      } catch (err) {
        if (err instanceof NotJsonError) throw new CelEvaluationError(source, err.message);
        throw err;
      }
      if (key.length === 0) throw new CelEvaluationError(source, 'the key is an empty string');
      if (key.length > MAX_KEY_LENGTH) {
        throw new CelEvaluationError(
          source,
          `the key is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`,
        );
      }
      return key;
    },
  };
}

function compilePriority(engine: CelEngine, source: string): PriorityExpression {
  const expression = engine.compile(source, { variables: EVENT_VARIABLES, result: 'int' });
  return {
    evaluate(activation) {
      const value = expression.evaluate(activation);
      // JSON numbers reach CEL as doubles: 3.0 from `event.data.level` is the whole number 3.
      const priority =
        typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
      if (!Number.isInteger(priority)) {
        throw new CelEvaluationError(
          source,
          `the priority must be a whole number, but the expression gave ${describe(value)}`,
        );
      }
      if (priority < MIN_RUN_PRIORITY || priority > MAX_RUN_PRIORITY) {
        throw new CelEvaluationError(
          source,
          `the priority ${priority} is outside the allowed range ${MIN_RUN_PRIORITY} to ${MAX_RUN_PRIORITY}`,
        );
      }
      return priority;
    },
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `the int ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : `the ${typeof value} ${String(value)}`;
}
