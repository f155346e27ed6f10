import { z } from 'zod';

/**
 * What the evaluator decided for one (event, trigger) pair it considered, kept with the event in the
 * archive and returned by test-fire. Plain, bounded data: every value is cut to
 * `DECISION_VALUE_CHARS` characters and an event keeps at most `MAX_DECISIONS_PER_EVENT` of them.
 */
export const DECISION_OUTCOMES = [
  /** A run was requested (`runId`). */
  'matched',
  /** The trigger does not listen to the event's source or type, or not to its owner (test-fire). */
  'not_listening',
  /** A `match` field differed (`match`). */
  'match_differed',
  /** The condition was false (`condition`: the false sub-expression and its operands' values). */
  'condition_false',
  /** An expression (condition, key, input) failed on the event (`error`). */
  'error',
  /** The trigger's dedupe window had seen the event's key (`runId`: the run it went to). */
  'deduplicated',
  /** Collected into a batch (`batchId`). */
  'batched',
  /** Collected into a debounce (`batchId`); the run starts once its key has been quiet. */
  'debounced',
  /** Counted by an absence trigger (`expect`): opens or ends the wait of its key. */
  'expecting',
  /** Kept in a compound match that waits for its other members. */
  'waiting',
  /** A sequence member that came before the members it must follow: it does not count. */
  'out_of_order',
  /** The rate limit was exceeded and the run dropped (`runId`: the run it would have been). */
  'rate_limited',
  /** The rate limit was exceeded and the run held until a slot is free (`runId`). */
  'delayed',
  /** A `cancelOn` event: the trigger's queued or running runs of its key are being cancelled. */
  'cancelling',
] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/** Values inside a decision are shown, not kept: cut to this many characters. */
export const DECISION_VALUE_CHARS = 200;
/** Decisions kept per archived event; the rest are counted in `decisionsOmitted`. */
export const MAX_DECISIONS_PER_EVENT = 50;

export const MatchMissSchema = z.object({
  field: z.string().describe('The `match` field, like "data.ref".'),
  expected: z.string().describe('What `match` asks for, as JSON.'),
  got: z.string().describe('What the event has there, as JSON ("undefined" when absent).'),
});
export type MatchMiss = z.infer<typeof MatchMissSchema>;

export const ConditionOperandSchema = z.object({
  expression: z.string(),
  value: z.string().describe('Its value on the event, written as CEL.'),
});
export type ConditionOperand = z.infer<typeof ConditionOperandSchema>;

export const ConditionMissSchema = z.object({
  expression: z
    .string()
    .describe('The sub-expression of the condition that was false, like `event.data.ref == "x"`.'),
  evaluated: z
    .string()
    .describe('The same with its operands replaced by their values, like `"dev" == "x"`.'),
  operands: z.array(ConditionOperandSchema).describe('Each operand and its value.'),
});
export type ConditionMiss = z.infer<typeof ConditionMissSchema>;

export const DecisionSchema = z.object({
  triggerId: z.string(),
  triggerVersion: z.number().int().optional(),
  outcome: z.enum(DECISION_OUTCOMES),
  message: z.string().describe('The decision in words.'),
  runId: z.string().optional(),
  batchId: z.string().optional(),
  match: MatchMissSchema.optional(),
  condition: ConditionMissSchema.optional(),
  error: z.string().optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

/** Cuts a shown value to `DECISION_VALUE_CHARS`, marking the cut. */
export function boundedDecisionValue(text: string): string {
  return text.length <= DECISION_VALUE_CHARS ? text : `${text.slice(0, DECISION_VALUE_CHARS - 1)}…`;
}
