/** Where in an expression a problem is: 1-based line and column, and the 0-based offset. */
export interface SourcePosition {
  line: number;
  column: number;
  offset: number;
}

export function positionAt(expression: string, offset: number): SourcePosition {
  const clamped = Math.max(0, Math.min(offset, expression.length));
  const before = expression.slice(0, clamped);
  const line = before.split('\n').length;
  const column = clamped - before.lastIndexOf('\n');
  return { line, column, offset: clamped };
}

/** An expression that does not parse or type-check; the message names the position of the error. */
export class CelCompileError extends Error {
  override readonly name = 'CelCompileError';

  constructor(
    readonly expression: string,
    /** What is wrong, without the position. */
    readonly reason: string,
    readonly position?: SourcePosition,
  ) {
    super(position ? `${reason} (at line ${position.line}, column ${position.column})` : reason);
  }
}

/**
 * An expression failed on one input: a missing field, a type mismatch, a result of the wrong type. It
 * is about the input, never fatal: the caller counts it and goes on.
 */
export class CelEvaluationError extends Error {
  override readonly name = 'CelEvaluationError';

  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(message);
  }
}
