import type { ASTNode, Environment } from '@marcbachmann/cel-js' with {
  'resolution-mode': 'import',
};
import { CostMeter, NestingLimitError, UnsafePatternError } from './cel-cost';
import { CelCompileError, CelEvaluationError, positionAt } from './errors';
import { type CelModule, loadCel } from './cel-module';

/**
 * The variables an expression may use. Which ones exist depends on where the expression sits:
 * a condition sees `event` and `trigger`; a batch's input also `batch`; a compound match's input also
 * `events`; a run-status source's result filter sees `result`. Using one that is not there is a
 * compile error with its position.
 */
export const CEL_VARIABLES = {
  event: 'map',
  trigger: 'map',
  batch: 'list',
  events: 'map',
  result: 'dyn',
} as const;
export type CelVariable = keyof typeof CEL_VARIABLES;

export type CelActivation = Partial<Record<CelVariable, unknown>>;

/** What an expression must produce; checked when it is compiled where the types are known. */
export type CelResultType = 'bool' | 'int' | 'any';

const RESULT_DESCRIPTIONS: Record<Exclude<CelResultType, 'any'>, string> = {
  bool: 'must be true or false',
  int: 'must be a whole number (int)',
};

export interface CompileOptions {
  variables: readonly CelVariable[];
  result?: CelResultType;
}

/** An expression parsed and type-checked once, evaluated many times. */
export interface CompiledExpression {
  readonly source: string;
  /** The statically known result type (`dyn` when it depends on the input). */
  readonly type: string;
  /** Evaluates with CEL values (see `toCel`); throws `CelEvaluationError`, never anything else. */
  evaluate(activation: CelActivation): unknown;
}

type Program = ReturnType<Environment['parse']>;

const DEFAULT_CACHE_SIZE = 10_000;

/** Structural limits well above any sensible trigger expression, so a hostile one is refused early. */
const LIMITS = {
  maxAstNodes: 5_000,
  maxDepth: 100,
  maxListElements: 1_000,
  maxMapEntries: 1_000,
  maxCallArguments: 32,
};

/**
 * Compiles CEL through `@marcbachmann/cel-js` (an interpreter over a parsed AST: no `eval`, `Function`
 * or `vm`) and caches compiled expressions by text and variable set, so triggers that share an
 * expression, and unchanged expressions of a new definition version, compile once.
 */
export class CelEngine {
  private readonly environments = new Map<string, Environment>();
  private readonly cache = new Map<string, CompiledExpression>();

  private constructor(
    private readonly cel: CelModule,
    private readonly cacheSize: number,
  ) {}

  static async create(options: { cacheSize?: number } = {}): Promise<CelEngine> {
    return new CelEngine(await loadCel(), options.cacheSize ?? DEFAULT_CACHE_SIZE);
  }

  /** Parses and type-checks; throws `CelCompileError` with the position of the first problem. */
  compile(expression: string, options: CompileOptions): CompiledExpression {
    const variables = [...new Set(options.variables)].sort();
    const result = options.result ?? 'any';
    const cacheKey = `${variables.join(',')}|${result}|${expression}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const compiled = this.build(expression, variables, result);
    if (this.cache.size >= this.cacheSize) {
      this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(cacheKey, compiled);
    return compiled;
  }

  private build(
    expression: string,
    variables: CelVariable[],
    result: CelResultType,
  ): CompiledExpression {
    if (expression.trim() === '') throw new CelCompileError(expression, 'the expression is empty');
    let program: Program;
    try {
      program = this.environment(variables).parse(expression);
    } catch (err) {
      throw compileError(expression, err);
    }
    const checked = program.check();
    if (!checked.valid) throw compileError(expression, checked.error);
    const type = checked.type ?? 'dyn';
    if (result !== 'any' && type !== result && type !== 'dyn') {
      throw new CelCompileError(
        expression,
        `${RESULT_DESCRIPTIONS[result]}, but it evaluates to ${type}`,
        positionAt(expression, 0),
      );
    }
    let meter: CostMeter;
    try {
      meter = CostMeter.instrument(program.ast);
    } catch (err) {
      if (err instanceof UnsafePatternError || err instanceof NestingLimitError) {
        throw new CelCompileError(expression, err.message, positionAt(expression, err.offset));
      }
      throw err;
    }
    return {
      source: expression,
      type,
      evaluate: (activation) => evaluate(program, meter, expression, activation),
    };
  }

  /**
   * The syntax tree of an expression that compiles with these variables (compile it first): what
   * the explanation of a false condition walks.
   */
  parse(expression: string, variables: readonly CelVariable[]): ASTNode {
    return this.environment([...new Set(variables)].sort()).parse(expression).ast;
  }

  private environment(variables: CelVariable[]): Environment {
    const key = variables.join(',');
    let environment = this.environments.get(key);
    if (!environment) {
      environment = new this.cel.Environment({
        unlistedVariablesAreDyn: false,
        // JSON mixes types freely; `[1, "a"]` or `{"n": 1, "s": "x"}` must be writable in an input.
        homogeneousAggregateLiterals: false,
        limits: LIMITS,
      });
      for (const name of variables) environment.registerVariable(name, CEL_VARIABLES[name]);
      this.environments.set(key, environment);
    }
    return environment;
  }
}

function evaluate(
  program: Program,
  meter: CostMeter,
  expression: string,
  activation: CelActivation,
): unknown {
  let value: unknown;
  try {
    value = meter.measure(() => program(activation));
  } catch (err) {
    throw new CelEvaluationError(expression, summaryOf(err));
  }
  if (value instanceof Promise) {
    // Only async custom functions return promises, and none are registered; never wait on one.
    value.catch(() => undefined);
    throw new CelEvaluationError(expression, 'the expression did not evaluate synchronously');
  }
  return value;
}

function compileError(expression: string, err: unknown): CelCompileError {
  const range = (err as { range?: { start?: number } } | undefined)?.range;
  const position =
    typeof range?.start === 'number' ? positionAt(expression, range.start) : undefined;
  return new CelCompileError(expression, summaryOf(err), position);
}

/** The library's messages append a drawing of the source; the summary alone reads well in a log. */
function summaryOf(err: unknown): string {
  if (err && typeof err === 'object') {
    const { summary, message } = err as { summary?: unknown; message?: unknown };
    if (typeof summary === 'string' && summary !== '') return summary;
    if (typeof message === 'string') return message.split('\n')[0] ?? message;
  }
  return String(err);
}
