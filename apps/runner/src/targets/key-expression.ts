import type { RunRequest } from '@flint/contracts';

/** The key expression does not compile or does not give a usable key; retrying does not help. */
export class KeyExpressionError extends Error {
  override readonly name = 'KeyExpressionError';
}

type CelModule = typeof import('@marcbachmann/cel-js');
type Compiled = ReturnType<CelModule['parse']>;

/**
 * Evaluates a `kafka` target's key expression with CEL. The runner has no event, only the run request,
 * so the expression sees `input` (the mapped workflow input) and `run` (`id`, `triggerId`,
 * `eventIds`). Compiled expressions are cached; the CEL package is ESM-only, hence the lazy import.
 */
export class KeyExpressions {
  private cel: Promise<CelModule> | undefined;
  private readonly compiled = new Map<string, Compiled>();

  async evaluate(expression: string, request: RunRequest): Promise<string> {
    const program = await this.compile(expression);
    let value: unknown;
    try {
      value = program({
        input: request.input ?? null,
        run: { id: request.runId, triggerId: request.triggerId, eventIds: request.eventIds },
      });
    } catch (err) {
      throw new KeyExpressionError(`key expression "${expression}" failed: ${firstLine(err)}`);
    }
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      return String(value);
    }
    throw new KeyExpressionError(
      `key expression "${expression}" must give a non-empty string or a number, got ${describe(value)}`,
    );
  }

  private async compile(expression: string): Promise<Compiled> {
    const cached = this.compiled.get(expression);
    if (cached) return cached;
    this.cel ??= import('@marcbachmann/cel-js');
    const cel = await this.cel;
    let program: Compiled;
    try {
      program = cel.parse(expression);
    } catch (err) {
      throw new KeyExpressionError(
        `key expression "${expression}" does not compile: ${firstLine(err)}`,
      );
    }
    this.compiled.set(expression, program);
    return program;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value === '') return 'an empty string';
  return typeof value === 'object' ? 'a map' : typeof value;
}
