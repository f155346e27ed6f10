import type {
  ArchivedEventSummary,
  ConditionMiss,
  ConditionOperand,
  Decision,
  DecisionOutcome,
  ReplayRequest,
} from '@flint/contracts';

export type DecisionTone = 'ok' | 'info' | 'warn' | 'bad' | 'muted';

/** Each outcome in a word or two, and how it reads at a glance: fired, held, dropped, failed. */
const OUTCOMES: Record<DecisionOutcome, { label: string; tone: DecisionTone }> = {
  matched: { label: 'Fired', tone: 'ok' },
  delayed: { label: 'Fired, delayed', tone: 'ok' },
  batched: { label: 'Batched', tone: 'info' },
  debounced: { label: 'Debounced', tone: 'info' },
  expecting: { label: 'Expecting', tone: 'info' },
  waiting: { label: 'Waiting', tone: 'info' },
  cancelling: { label: 'Cancelling runs', tone: 'warn' },
  deduplicated: { label: 'Duplicate', tone: 'muted' },
  rate_limited: { label: 'Rate limited', tone: 'warn' },
  out_of_order: { label: 'Out of order', tone: 'warn' },
  match_differed: { label: 'No match', tone: 'muted' },
  condition_false: { label: 'Condition false', tone: 'muted' },
  not_listening: { label: 'Not listening', tone: 'muted' },
  error: { label: 'Error', tone: 'bad' },
};

export function outcomeLabel(outcome: DecisionOutcome): { label: string; tone: DecisionTone } {
  return OUTCOMES[outcome];
}

/** Fired first, then failed, then held for later, then the rest; by trigger id within each. */
const RANK: Record<DecisionTone, number> = { ok: 0, bad: 1, info: 2, warn: 3, muted: 4 };

export function sortDecisions(decisions: readonly Decision[]): Decision[] {
  return [...decisions].sort(
    (a, b) =>
      RANK[OUTCOMES[a.outcome].tone] - RANK[OUTCOMES[b.outcome].tone] ||
      a.triggerId.localeCompare(b.triggerId),
  );
}

/** The run a decision points at and how it relates to it: started, or the one it went to. */
export function decisionRun(decision: Decision): { runId: string; label: string } | undefined {
  if (!decision.runId) return undefined;
  switch (decision.outcome) {
    case 'matched':
      return { runId: decision.runId, label: 'Started' };
    case 'delayed':
      return { runId: decision.runId, label: 'Held until a slot frees' };
    case 'deduplicated':
      return { runId: decision.runId, label: 'Went to' };
    case 'rate_limited':
      return { runId: decision.runId, label: 'Would have started' };
    default:
      return { runId: decision.runId, label: 'Run' };
  }
}

/** The operands worth showing: a literal (`100` is 100) tells nothing. */
export function informativeOperands(condition: ConditionMiss | undefined): ConditionOperand[] {
  return (condition?.operands ?? []).filter((operand) => operand.expression !== operand.value);
}

/**
 * The replay request for one archived event: its own instant, its source, and its id (an event
 * is archived once, so the three select it alone).
 */
export function replayOne(
  event: Pick<ArchivedEventSummary, 'id' | 'sourceId' | 'acceptedAt'>,
  options: { trigger?: string; rerun: boolean },
): ReplayRequest {
  const since = new Date(event.acceptedAt);
  return {
    since: since.toISOString(),
    until: new Date(since.getTime() + 1).toISOString(),
    source: event.sourceId,
    filter: `event.id == ${JSON.stringify(event.id)}`,
    ...(options.trigger ? { trigger: options.trigger } : {}),
    ...(options.rerun ? { rerun: true } : {}),
  };
}
