import { BadRequestException } from '@nestjs/common';
import {
  type CelEngine,
  CelCompileError,
  CelEvaluationError,
  EventContext,
} from '@flint/conditions';
import type { CloudEvent } from '@flint/contracts';

/** A CEL filter over an archived event; true keeps it. */
export type ArchivedEventFilter = (event: Record<string, unknown>) => boolean;

/**
 * Compiles the `filter` of an archive query or replay: a CEL expression over `event`, as a trigger's
 * condition sees it. A filter that does not compile is a 400 with its position; one that fails on
 * an event (a missing field, say) leaves that event out, as a false condition would.
 */
export function compileEventFilter(
  engine: CelEngine,
  expression: string,
  path = 'filter',
): ArchivedEventFilter {
  let compiled: ReturnType<CelEngine['compile']>;
  try {
    compiled = engine.compile(expression, { variables: ['event'], result: 'bool' });
  } catch (err) {
    if (!(err instanceof CelCompileError)) throw err;
    throw new BadRequestException({
      error: {
        code: 'invalid_request',
        message: `invalid ${path}`,
        issues: [
          { path, message: err.message, ...(err.position ? { position: err.position } : {}) },
        ],
      },
    });
  }
  return (event) => {
    try {
      return compiled.evaluate({ event: new EventContext(event as CloudEvent).cel }) === true;
    } catch (err) {
      if (err instanceof CelEvaluationError) return false;
      throw err;
    }
  };
}
