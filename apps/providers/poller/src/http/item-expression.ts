type CelModule = typeof import('@marcbachmann/cel-js');
type CelProgram = ReturnType<CelModule['parse']>;

let celModule: Promise<CelModule> | undefined;

/** cel-js is ESM-only, so it is loaded with a dynamic import, once. */
function loadCel(): Promise<CelModule> {
  celModule ??= import('@marcbachmann/cel-js');
  return celModule;
}

export class ItemExpressionError extends Error {
  override readonly name = 'ItemExpressionError';
}

/**
 * A CEL expression over one polled item, bound as `item` (e.g. `item.id`, `item.updated_at`,
 * `string(item.id) + "-" + item.kind`). Compiled once; never `eval`.
 */
export class ItemExpression {
  private constructor(
    readonly source: string,
    private readonly program: CelProgram,
  ) {}

  /** `role` names the expression in errors, e.g. `itemKey`. */
  static async compile(source: string, role: string): Promise<ItemExpression> {
    const cel = await loadCel();
    try {
      return new ItemExpression(source, cel.parse(source));
    } catch (err) {
      throw new ItemExpressionError(
        `${role} ${JSON.stringify(source)} is not a valid CEL expression: ${firstLine(err)}`,
      );
    }
  }

  evaluate(item: unknown): unknown {
    try {
      return this.program({ item });
    } catch (err) {
      throw new ItemExpressionError(
        `${JSON.stringify(this.source)} failed on an item: ${firstLine(err)}`,
      );
    }
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
