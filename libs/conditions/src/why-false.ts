import type { ASTNode } from '@marcbachmann/cel-js' with { 'resolution-mode': 'import' };
import {
  boundedDecisionValue,
  type ConditionMiss,
  type ConditionOperand,
  type Decision,
  type Match,
  type MatchMiss,
} from '@flint/contracts';
import type { CelActivation, CelEngine, CelVariable, CompiledExpression } from './cel-engine';
import { fromCel } from './json-value';
import { compileMatch, lookup } from './match';
import type { FilterMiss } from './trigger-expressions';

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=', 'in']);

/**
 * Says why a condition that was false is false: the first sub-expression that is false (down
 * through `&&`, left to right, as CEL evaluates it), with its operands' values written as CEL, so
 * `event.data.ref == 'refs/heads/main'` reads `'refs/heads/dev' == 'refs/heads/main'`. Each
 * sub-expression is compiled once (the engine caches it) and only evaluated when asked.
 */
export function conditionExplainer(
  engine: CelEngine,
  condition: string,
  variables: readonly CelVariable[],
): (activation: CelActivation) => ConditionMiss {
  let root: ASTNode | undefined;
  // Each part compiled once for this condition (null: it does not stand alone), not looked up in the
  // engine's cache per miss, which a few thousand triggers' parts would also wear out.
  const parts = new Map<ASTNode, CompiledExpression | null>();
  const compiledPart = (node: ASTNode): CompiledExpression | null => {
    let part = parts.get(node);
    if (part === undefined) {
      try {
        part = engine.compile(textOf(node), { variables });
      } catch {
        part = null;
      }
      parts.set(node, part);
    }
    return part;
  };
  const valueOf = (node: ASTNode, activation: CelActivation): { value: unknown } | undefined => {
    const compiled = compiledPart(node);
    if (compiled === null) return undefined;
    try {
      return { value: compiled.evaluate(activation) };
    } catch {
      // A part that fails on this event is shown without its value.
      return undefined;
    }
  };
  const explain = (node: ASTNode, activation: CelActivation): ConditionMiss => {
    const expression = boundedDecisionValue(displayOf(node));
    if (COMPARISONS.has(node.op) || node.op === '||') {
      const [left, right] = node.args as [ASTNode, ASTNode];
      const operands = [left, right].map((operand) => operandOf(operand, activation, valueOf));
      return {
        expression,
        evaluated: boundedDecisionValue(`${operands[0]?.value} ${node.op} ${operands[1]?.value}`),
        operands,
      };
    }
    if (node.op === '!_') {
      const operand = operandOf(node.args as ASTNode, activation, valueOf);
      return { expression, evaluated: `!${operand.value}`, operands: [operand] };
    }
    const own = valueOf(node, activation);
    return { expression, evaluated: own ? celText(own.value) : expression, operands: [] };
  };
  const falsePart = (node: ASTNode, activation: CelActivation): ConditionMiss | undefined => {
    if (node.op !== '&&') {
      const own = valueOf(node, activation);
      return own?.value === false ? explain(node, activation) : undefined;
    }
    const [left, right] = node.args as [ASTNode, ASTNode];
    return falsePart(left, activation) ?? falsePart(right, activation);
  };
  return (activation) => {
    root ??= engine.parse(condition, variables);
    return (
      falsePart(root, activation) ?? {
        expression: boundedDecisionValue(condition),
        evaluated: 'false',
        operands: [],
      }
    );
  };
}

/** The first `match` field that does not hold for the event view, with both values as JSON. */
export function matchExplainer(
  match: Match,
): (view: Record<string, unknown>) => MatchMiss | undefined {
  const fields = Object.entries(match).map(([field, expected]) => ({
    field,
    segments: field.split('.'),
    expected,
    holds: compileMatch({ [field]: expected }),
  }));
  return (view) => {
    const missed = fields.find(({ holds }) => !holds(view));
    if (missed === undefined) return undefined;
    const got = lookup(view, missed.segments);
    return {
      field: missed.field,
      expected: boundedDecisionValue(JSON.stringify(missed.expected)),
      got: boundedDecisionValue(got === undefined ? 'undefined' : JSON.stringify(got)),
    };
  };
}

/** A decision's account of a miss: its outcome, the miss itself, and a sentence. */
export function missDecision(
  miss: FilterMiss,
): Pick<Decision, 'outcome' | 'message' | 'match' | 'condition'> {
  if ('match' in miss) {
    const { field, expected, got } = miss.match;
    return {
      outcome: 'match_differed',
      message: `match field ${field} differed: expected ${expected}, got ${got}`,
      match: miss.match,
    };
  }
  const { expression, evaluated } = miss.condition;
  return {
    outcome: 'condition_false',
    message: `the condition was false: ${expression} is ${evaluated}`,
    condition: miss.condition,
  };
}

function operandOf(
  node: ASTNode,
  activation: CelActivation,
  valueOf: (node: ASTNode, activation: CelActivation) => { value: unknown } | undefined,
): ConditionOperand {
  const evaluated = valueOf(node, activation);
  return {
    expression: boundedDecisionValue(displayOf(node)),
    value: boundedDecisionValue(evaluated ? celText(evaluated.value) : '(fails on this event)'),
  };
}

/** The source text of a node. */
function textOf(node: ASTNode): string {
  return node.input.slice(node.range.start, node.range.end);
}

/**
 * The text to show for a node. A chain of `&&` or `||` ends where its last operand does, before a
 * closing parenthesis, so it is rebuilt from its operands.
 */
function displayOf(node: ASTNode): string {
  if (node.op === '&&' || node.op === '||') {
    const [left, right] = node.args as [ASTNode, ASTNode];
    return `${displayOf(left)} ${node.op} ${displayOf(right)}`;
  }
  return textOf(node);
}

/** A value written as CEL: strings in single quotes, lists and maps as JSON. */
function celText(value: unknown): string {
  let json: unknown;
  try {
    json = fromCel(value);
  } catch {
    return String(value);
  }
  if (typeof json === 'string') return `'${json.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  return JSON.stringify(json);
}
