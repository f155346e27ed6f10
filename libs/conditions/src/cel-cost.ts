import { setFlagsFromString } from 'node:v8';

/**
 * How much work one evaluation of one expression may do, in steps: one per node of the expression
 * evaluated (so every iteration of `all`, `exists`, `map`, `filter` counts its predicate's nodes), one
 * per `CEL_ITEMS_PER_STEP` characters or elements of every string or list an expression reads or a
 * function returns, and one per element of every list `+` builds (copying is what costs there). A
 * sensible condition over a large event costs hundreds of steps; one that loops over a list inside a
 * loop over that list, or keeps concatenating, reaches the limit within a fraction of a second and is
 * stopped there, so one trigger cannot stall the evaluator for everyone. Counting steps rather than
 * time gives the same verdict on every machine, every replay and in test-fire.
 */
export const CEL_COST_LIMIT = 1_000_000;

/** Characters or list elements read that cost one step: about what one node's evaluation costs. */
export const CEL_ITEMS_PER_STEP = 32;

/** How deep `all`, `exists`, `exists_one`, `map` and `filter` may nest inside each other. */
export const CEL_MAX_COMPREHENSION_NESTING = 3;

type Evaluate = (evaluator: unknown, ast: AstNode, context: unknown) => unknown;

/** What this module relies on of the library's parsed and type-checked expression tree. */
interface AstNode {
  op: string;
  args: unknown;
  start: number;
  evaluate: Evaluate;
  readonly meta: {
    evaluate: Evaluate;
    alternate?: AstNode;
    macro?: { evaluate: Evaluate; args?: unknown };
  };
}

interface LibraryEvaluator {
  run(ast: AstNode, context: unknown): unknown;
}

/** The work of one evaluation went past `CEL_COST_LIMIT`. */
export class CelCostLimitError extends Error {
  override readonly name = 'CelCostLimitError';

  constructor(limit: number) {
    super(
      `the expression was stopped after ${limit.toLocaleString('en-US')} evaluation steps ` +
        '(loops over large lists inside loops, or strings built up too far)',
    );
  }
}

/** A regular expression in `matches` that Flint refuses: it could not run in linear time. */
export class UnsafePatternError extends Error {
  override readonly name = 'UnsafePatternError';

  constructor(
    readonly pattern: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`the regular expression ${JSON.stringify(pattern)} cannot be used: ${reason}`);
  }
}

/** An expression whose comprehensions nest deeper than `CEL_MAX_COMPREHENSION_NESTING`. */
export class NestingLimitError extends Error {
  override readonly name = 'NestingLimitError';

  constructor(readonly offset: number) {
    super(
      `all, exists, exists_one, map and filter nest at most ${CEL_MAX_COMPREHENSION_NESTING} ` +
        'deep; this one is deeper',
    );
  }
}

/** Node kinds whose result is a value read or built whole: its length is work done or to come. */
const SIZED_RESULTS = new Set(['id', '.', '.?', '[]', '[?]', 'call', 'rcall']);

/**
 * Counts the work of each evaluation of one compiled expression and stops it at the limit. It wraps
 * the evaluation of every node of the type-checked tree (the library calls `node.evaluate` for each),
 * and evaluates `matches` with V8's linear-time regular expression engine, as CEL's RE2 semantics
 * promise, so neither a pattern nor a subject can make one call take exponential time.
 */
export class CostMeter {
  private spent = 0;
  private exceeded: CelCostLimitError | undefined;

  private constructor(private readonly limit: number) {}

  /**
   * Instruments a checked expression tree; throws `UnsafePatternError` for a literal pattern that
   * cannot run in linear time and `NestingLimitError` for comprehensions nested too deep.
   */
  static instrument(root: unknown, limit = CEL_COST_LIMIT): CostMeter {
    const meter = new CostMeter(limit);
    meter.visit(root as AstNode, new Set(), 0);
    return meter;
  }

  /** Runs one evaluation from zero; throws `CelCostLimitError` when it went past the limit. */
  measure<T>(evaluate: () => T): T {
    this.spent = 0;
    this.exceeded = undefined;
    let value: T;
    try {
      value = evaluate();
    } catch (err) {
      throw this.exceeded ?? err;
    }
    // `||`, `&&` and the quantifiers absorb errors by CEL's rules, so the limit may have been hit in
    // a branch that did not decide the result; the evaluation is refused all the same.
    if (this.exceeded) throw this.exceeded;
    return value;
  }

  private spend(steps: number): void {
    this.spent += steps;
    if (this.spent > this.limit) throw (this.exceeded ??= new CelCostLimitError(this.limit));
  }

  private visit(node: AstNode, seen: Set<AstNode>, nesting: number): void {
    if (seen.has(node)) return;
    seen.add(node);
    const { alternate, macro } = node.meta;
    const inner = node.op === 'comprehension' ? nesting + 1 : nesting;
    if (inner > CEL_MAX_COMPREHENSION_NESTING) throw new NestingLimitError(node.start);
    this.wrap(node);
    // A macro call is evaluated as its expansion (a comprehension) whose parts are the call's
    // arguments: walking the call's own arguments first would reach them at the wrong nesting.
    const children = alternate
      ? [alternate]
      : [...childNodes(macro?.args), ...childNodes(node.args)];
    for (const child of children) this.visit(child, seen, inner);
  }

  private wrap(node: AstNode): void {
    const base = baseEvaluate(node);
    if (node.op === '+') {
      node.evaluate = (evaluator, ast, context) => {
        this.spend(1);
        const value = base(evaluator, ast, context);
        this.spend(Array.isArray(value) ? value.length : sizeOf(value));
        return value;
      };
      return;
    }
    if (!SIZED_RESULTS.has(node.op)) {
      node.evaluate = (evaluator, ast, context) => {
        this.spend(1);
        return base(evaluator, ast, context);
      };
      return;
    }
    node.evaluate = (evaluator, ast, context) => {
      this.spend(1);
      const value = base(evaluator, ast, context);
      this.spend(sizeOf(value));
      return value;
    };
  }
}

/** What the library's own `ASTNode.evaluate` resolves to on its first call, without replacing it. */
function baseEvaluate(node: AstNode): Evaluate {
  const { alternate, macro, evaluate } = node.meta;
  if (alternate)
    return (evaluator, _ast, context) => alternate.evaluate(evaluator, alternate, context);
  if (macro) {
    return (evaluator, _ast, context) => macro.evaluate(evaluator, macro as AstNode, context);
  }
  const pattern = matchesPattern(node);
  if (pattern) return linearMatches(node, pattern.receiver, pattern.argument);
  return evaluate;
}

/** The receiver and pattern of `s.matches(p)`; its literal pattern is checked here, at compile time. */
function matchesPattern(node: AstNode): { receiver: AstNode; argument: AstNode } | undefined {
  if (node.op !== 'rcall' || !Array.isArray(node.args) || node.args[0] !== 'matches') return;
  const [, receiver, args] = node.args as [string, AstNode, AstNode[]];
  const argument = args[0];
  if (!argument || args.length !== 1) return;
  if (argument.op === 'value' && typeof argument.args === 'string') {
    linearPattern(argument.args, argument.start);
  }
  return { receiver, argument };
}

function linearMatches(node: AstNode, receiver: AstNode, argument: AstNode): Evaluate {
  return (evaluator, _ast, context) => {
    const run = evaluator as LibraryEvaluator;
    const subject = run.run(receiver, context);
    const pattern = run.run(argument, context);
    if (typeof subject !== 'string' || typeof pattern !== 'string') {
      // Type-checked as strings; a `dyn` holding something else fails as the library would say.
      return node.meta.evaluate(evaluator, node, context);
    }
    return linearPattern(pattern, argument.start).test(subject);
  };
}

/** V8's flag for its linear-time engine (behind `--enable-experimental-regexp-engine`). */
const LINEAR: string = 'l';
const PATTERN_CACHE_SIZE = 1_000;
const patterns = new Map<string, RegExp>();
let linearEngine: boolean | undefined;

/** A pattern compiled for V8's linear-time engine (flag `l`), cached; throws `UnsafePatternError`. */
function linearPattern(pattern: string, offset: number): RegExp {
  const cached = patterns.get(pattern);
  if (cached) return cached;
  enableLinearEngine();
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, LINEAR);
  } catch (err) {
    const reason = (err as Error).message.replace(/^Invalid regular expression: \/.*\/l: /s, '');
    throw new UnsafePatternError(
      pattern,
      offset,
      /linear time/.test(reason)
        ? 'back-references and lookaround cannot be matched in linear time'
        : reason,
    );
  }
  if (patterns.size >= PATTERN_CACHE_SIZE) patterns.delete(patterns.keys().next().value as string);
  patterns.set(pattern, compiled);
  return compiled;
}

/**
 * V8's linear-time engine is behind a flag; setting it affects only expressions that ask for it with
 * the `l` flag, which nothing but this module does.
 */
function enableLinearEngine(): void {
  if (linearEngine) return;
  setFlagsFromString('--enable-experimental-regexp-engine');
  try {
    new RegExp('a', LINEAR);
    linearEngine = true;
  } catch {
    throw new Error('this Node.js has no linear-time regular expression engine (flag l)');
  }
}

/**
 * The nodes among a node's arguments: nodes, arrays of them (calls, lists, a map's entries), and a
 * comprehension's parts. Nothing else is walked: a comprehension's arguments also hold its type-check
 * context, which leads to the whole registry.
 */
function childNodes(args: unknown): AstNode[] {
  const found: AstNode[] = [];
  const pending: unknown[] = [args];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || typeof item !== 'object') continue;
    if (isAstNode(item)) found.push(item);
    else if (Array.isArray(item)) pending.push(...(item as unknown[]));
    else if ('iterable' in item && 'step' in item) {
      const { iterable, init, step } = item as Record<string, unknown>;
      pending.push(iterable, init, step);
    }
  }
  return found;
}

function isAstNode(value: object): value is AstNode {
  return 'op' in value && 'meta' in value && typeof (value as AstNode).evaluate === 'function';
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value) || value instanceof Uint8Array) {
    return Math.floor(value.length / CEL_ITEMS_PER_STEP);
  }
  return 0;
}
