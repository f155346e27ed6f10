import type { InputMapping } from '@flint/contracts';
import type { CelActivation, CelEngine, CelVariable, CompiledExpression } from './cel-engine';
import { CelEvaluationError } from './errors';
import { fromCel, type JsonValue, NotJsonError } from './json-value';

/**
 * What a run's input is computed from: one event, a batch of events (`batch`, a list), or a compound
 * match (`events`, a map from each source id or event type to its event).
 */
export type InputScope = 'event' | 'batch' | 'compound';

export const SCOPE_VARIABLES: Record<InputScope, readonly CelVariable[]> = {
  event: ['event', 'trigger'],
  batch: ['batch', 'event', 'trigger'],
  compound: ['events', 'event', 'trigger'],
};

/** Turns the causing event(s) into a run's input; `fallback` is the input when nothing is mapped. */
export interface InputMapper {
  map(activation: CelActivation, fallback: () => JsonValue): JsonValue;
}

/** An input mapping that failed for one run: which field, and why. */
export class InputMappingError extends CelEvaluationError {
  constructor(
    expression: string,
    readonly field: string | undefined,
    reason: string,
  ) {
    super(expression, field === undefined ? `input: ${reason}` : `input.${field}: ${reason}`);
  }
}

type FieldMapper = { field: string; expression?: CompiledExpression; value?: JsonValue };

/** Compiles every expression of the mapping up front; throws `CelCompileError` for the first bad one. */
export function compileInputMapping(
  engine: CelEngine,
  mapping: InputMapping | undefined,
  scope: InputScope,
): InputMapper {
  const variables = SCOPE_VARIABLES[scope];
  if (mapping === undefined) return { map: (_activation, fallback) => fallback() };
  if (typeof mapping === 'string') {
    const expression = engine.compile(mapping, { variables });
    return { map: (activation) => evaluateField(expression, activation, undefined) };
  }
  const fields: FieldMapper[] = Object.entries(mapping).map(([field, value]) =>
    typeof value === 'string'
      ? { field, expression: engine.compile(value, { variables }) }
      : { field, value },
  );
  return {
    map(activation) {
      const input: { [key: string]: JsonValue } = {};
      for (const { field, expression, value } of fields) {
        input[field] = expression ? evaluateField(expression, activation, field) : (value ?? null);
      }
      return input;
    },
  };
}

function evaluateField(
  expression: CompiledExpression,
  activation: CelActivation,
  field: string | undefined,
): JsonValue {
  try {
    return fromCel(expression.evaluate(activation));
  } catch (err) {
    if (err instanceof CelEvaluationError || err instanceof NotJsonError) {
      throw new InputMappingError(expression.source, field, err.message);
    }
    throw err;
  }
}
