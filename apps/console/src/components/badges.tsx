import type { RunStatus, SourceState } from '@flint/contracts';
import type { ReactNode } from 'react';

const RUN_TONE: Record<RunStatus, string> = {
  REQUESTED: 'info',
  STARTED: 'running',
  SUCCEEDED: 'ok',
  FAILED: 'bad',
  SKIPPED: 'muted',
  CANCELLED: 'muted',
};

const RUN_LABEL: Record<RunStatus, string> = {
  REQUESTED: 'Requested',
  STARTED: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  SKIPPED: 'Skipped',
  CANCELLED: 'Cancelled',
};

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge-${RUN_TONE[status]}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {RUN_LABEL[status]}
    </span>
  );
}

const SOURCE_TONE: Record<SourceState, string> = {
  up: 'ok',
  failing: 'bad',
  starting: 'warn',
  failed: 'bad',
  invalid: 'bad',
  down: 'bad',
  disabled: 'muted',
  passive: 'info',
};

const SOURCE_LABEL: Record<SourceState, string> = {
  up: 'Up',
  failing: 'Failing',
  starting: 'Starting',
  failed: 'Failed',
  invalid: 'Invalid',
  down: 'Down',
  disabled: 'Disabled',
  passive: 'Listening',
};

export function SourceStateBadge({ state, title }: { state: SourceState; title?: string }) {
  return (
    <span className={`badge badge-${SOURCE_TONE[state]}`} title={title} data-state={state}>
      <span className="badge-dot" aria-hidden="true" />
      {SOURCE_LABEL[state]}
    </span>
  );
}

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return enabled ? (
    <span className="badge badge-ok">
      <span className="badge-dot" aria-hidden="true" />
      Enabled
    </span>
  ) : (
    <span className="badge badge-muted">
      <span className="badge-dot" aria-hidden="true" />
      Disabled
    </span>
  );
}

export function Tag({ children, tone = 'neutral' }: { children: ReactNode; tone?: string }) {
  return <span className={`tag tag-${tone}`}>{children}</span>;
}

/** A run's priority: the default 0 recedes, a set one stands out (higher starts first). */
export function PriorityValue({ priority }: { priority: number }) {
  if (priority === 0) return <span className="muted">0</span>;
  return (
    <span className={`tag ${priority > 0 ? 'tag-warn' : ''}`} data-testid="run-priority">
      {priority > 0 ? `+${priority}` : priority}
    </span>
  );
}
