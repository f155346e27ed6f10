import {
  type Definition,
  formatIssuePath,
  type FormattedIssue,
  type InlineSource,
} from '@flint/contracts';
import type { CelEngine } from './cel-engine';
import { CelCompileError, CelEvaluationError } from './errors';
import { toCel } from './json-value';
import type { ResultFilterCompiler } from './trigger-listeners';
import { triggerExpressionProblems } from './trigger-expressions';

/**
 * Compiles a run-status source's `result` filter (CEL over `result`, the run's result). A result the
 * expression fails on, or gives no true for, does not pass; an expression that does not compile
 * (refused at save time, so only from a foreign writer) lets nothing pass.
 */
export function resultFilterCompiler(engine: CelEngine): ResultFilterCompiler {
  return (expression) => {
    let compiled: ReturnType<CelEngine['compile']>;
    try {
      compiled = engine.compile(expression, { variables: ['result'], result: 'bool' });
    } catch (err) {
      if (err instanceof CelCompileError) return () => false;
      throw err;
    }
    return (result) => {
      try {
        return compiled.evaluate({ result: toCel(result ?? null) }) === true;
      } catch (err) {
        if (err instanceof CelEvaluationError) return false;
        throw err;
      }
    };
  };
}

/** The `result` filter of a run-status source that does not compile, with its position. */
export function sourceExpressionProblems(
  engine: CelEngine,
  source: InlineSource,
  path: PropertyKey[] = [],
): FormattedIssue[] {
  if (source.provider !== 'run-status') return [];
  const expression = source.config.result;
  if (expression === undefined) return [];
  try {
    engine.compile(expression, { variables: ['result'], result: 'bool' });
    return [];
  } catch (err) {
    if (!(err instanceof CelCompileError)) throw err;
    return [
      {
        path: formatIssuePath([...path, 'config', 'result']),
        message: err.message,
        ...(err.position ? { position: err.position } : {}),
      },
    ];
  }
}

/** Every CEL problem of a definition as saving it checks them: a trigger's, its inline sources', a source's. */
export function definitionExpressionProblems(
  engine: CelEngine,
  definition: Definition,
): FormattedIssue[] {
  if (definition.kind === 'source') return sourceExpressionProblems(engine, definition);
  const problems = triggerExpressionProblems(engine, definition);
  (definition.sources ?? []).forEach((source, index) => {
    if (typeof source !== 'string') {
      problems.push(...sourceExpressionProblems(engine, source, ['sources', index]));
    }
  });
  return problems;
}
