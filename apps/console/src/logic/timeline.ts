import type { RunDetail } from '@flint/contracts';

/** The last step's title for the statuses that say more than "Finished". */
const FINISHED_TITLES: Partial<Record<string, string>> = {
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

export interface TimelineStep {
  key: string;
  title: string;
  at: string;
  tone: 'done' | 'ok' | 'bad' | 'warn' | 'active';
  detail?: string;
  duration?: number;
  response?: { status: number; excerpt: string };
}

const OUTCOME: Record<string, { title: string; tone: TimelineStep['tone'] }> = {
  succeeded: { title: 'started the workflow', tone: 'ok' },
  retry: { title: 'failed, will retry', tone: 'warn' },
  failed: { title: 'failed', tone: 'bad' },
  lost: { title: 'lost (its runner went away)', tone: 'warn' },
  cancelled: { title: 'cancelled', tone: 'warn' },
};

/**
 * A run's life in order: requested by the evaluator, claimed by a runner, each attempt with its
 * outcome, and how it ended.
 */
export function runTimeline(run: RunDetail): TimelineStep[] {
  const steps: TimelineStep[] = [
    { key: 'requested', title: 'Requested by the evaluator', at: run.requestedAt, tone: 'done' },
    { key: 'claimed', title: 'Claimed by a runner', at: run.createdAt, tone: 'done' },
  ];
  for (const attempt of run.attemptHistory) {
    const outcome = attempt.outcome ? OUTCOME[attempt.outcome] : undefined;
    steps.push({
      key: `attempt-${attempt.attempt}`,
      title: `Attempt ${attempt.attempt} ${outcome?.title ?? 'in progress'}`,
      at: attempt.startedAt,
      tone: outcome?.tone ?? 'active',
      detail: [
        attempt.error ? `${attempt.error.type}: ${attempt.error.message}` : undefined,
        `on ${attempt.runner}`,
      ]
        .filter(Boolean)
        .join(' · '),
      ...(attempt.durationMs === undefined ? {} : { duration: attempt.durationMs }),
      ...(attempt.response ? { response: attempt.response } : {}),
    });
  }
  if (run.finishedAt) {
    const tone = run.status === 'SUCCEEDED' ? 'ok' : run.status === 'FAILED' ? 'bad' : 'done';
    steps.push({
      key: 'finished',
      title: FINISHED_TITLES[run.status] ?? 'Finished',
      at: run.finishedAt,
      tone,
      ...(run.durationMs === undefined ? {} : { duration: run.durationMs }),
    });
  } else if (run.nextAttemptAt) {
    steps.push({ key: 'next', title: 'Next attempt', at: run.nextAttemptAt, tone: 'active' });
  }
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
