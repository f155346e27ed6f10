import type { BacktestResult } from '@flint/contracts';
import { type ReactNode, useState } from 'react';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { Tag } from '../components/badges';
import { Button } from '../components/buttons';
import { ActionDialog } from '../components/dialog';
import { Banner } from '../components/feedback';
import { Field } from '../components/forms';
import { BACKTEST_PRESETS, decisionCounts, lastRange } from '../logic/backtest';
import { compact, counted, dateTime, localToIso } from '../logic/format';

/** How many would-be runs the dialog lists; all are counted. */
const SHOWN = 20;

/** What a backtest runs: a draft as the builder has it, or a saved trigger as it is now. */
export type BacktestSubject = { trigger: Record<string, unknown> } | { triggerId: string };

/**
 * Runs a draft or a saved trigger over the archived events of a range (`POST
 * /api/triggers/backtest`): nothing is started or stored, so a person sees the runs a change would
 * have made before saving it, or whether a saved trigger did what it would do now.
 */
export function BacktestDialog({
  subject,
  open,
  onClose,
}: {
  subject: BacktestSubject;
  open: boolean;
  onClose: () => void;
}) {
  const { client } = useSession();
  const [range, setRange] = useState(() => lastRange(BACKTEST_PRESETS[1].ms));
  const [result, setResult] = useState<BacktestResult>();
  const from = localToIso(range.from);
  const to = localToIso(range.to);
  const saved = 'triggerId' in subject;

  const run = async () => {
    setResult(undefined);
    setResult(
      await client.post<BacktestResult>('/api/triggers/backtest', {
        ...subject,
        from,
        to,
        limit: SHOWN,
      }),
    );
  };

  return (
    <ActionDialog
      open={open}
      title={saved ? 'Backtest this trigger' : 'Backtest the draft'}
      onClose={onClose}
      wide
      failure="The backtest did not run"
      action={{ label: 'Run backtest', icon: 'history', disabled: !from || !to, run }}
    >
      <p>
        {saved ? 'The trigger as it is now' : 'The draft'} meets the archived events of a range as
        the evaluator would have: nothing is started, sent or stored.
        {saved && ' What it really started in the range is shown beside it.'}
      </p>
      <div className="button-row" role="group" aria-label="Ranges">
        {BACKTEST_PRESETS.map((preset) => (
          <Button key={preset.label} small onClick={() => setRange(lastRange(preset.ms))}>
            {preset.label}
          </Button>
        ))}
      </div>
      <div className="form-grid">
        <RangeEnd
          label="From"
          value={range.from}
          onChange={(value) => setRange((r) => ({ ...r, from: value }))}
        />
        <RangeEnd
          label="Until"
          value={range.to}
          onChange={(value) => setRange((r) => ({ ...r, to: value }))}
        />
      </div>
      {result && <BacktestOutcome result={result} onNavigate={onClose} />}
    </ActionDialog>
  );
}

/** One end of the range: a local date and time, marked when what is typed is not one. */
function RangeEnd({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} error={value !== '' && !localToIso(value) ? 'not a time' : undefined}>
      {(props) => (
        <input
          {...props}
          type="datetime-local"
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

function BacktestOutcome({
  result,
  onNavigate,
}: {
  result: BacktestResult;
  onNavigate: () => void;
}) {
  const decisions = decisionCounts(result.decisions);
  return (
    <section className="backtest-result" aria-label="Backtest result" data-testid="backtest-result">
      <Banner tone={result.runs > 0 ? 'ok' : 'info'} title={runsTitle(result.runs)}>
        <p>
          From {counted(result.events, 'archived event')} between {dateTime(result.from)} and{' '}
          {dateTime(result.to)}.
        </p>
      </Banner>
      {result.actual && <ActualRuns actual={result.actual} onNavigate={onNavigate} />}
      {decisions.length > 0 && (
        <>
          <h3 className="subheading">Decisions</h3>
          <ul className="decision-counts" aria-label="Decisions per outcome">
            {decisions.map((d) => (
              <li key={d.outcome} data-outcome={d.outcome}>
                <Tag tone={d.tone}>{d.label}</Tag> <strong>{compact(d.count)}</strong>
              </li>
            ))}
          </ul>
        </>
      )}
      {result.shown.length > 0 && (
        <>
          <h3 className="subheading">
            {result.shown.length < result.runs
              ? `The first ${result.shown.length} runs`
              : 'The runs'}
          </h3>
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Would-be runs</caption>
              <thead>
                <tr>
                  <th scope="col">Requested</th>
                  <th scope="col">Events</th>
                  <th scope="col" className="secondary">
                    Input
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.shown.map((run) => (
                  <tr key={run.runId}>
                    <td title={run.runId}>{dateTime(run.requestedAt)}</td>
                    <td>
                      <span className="chips">
                        {run.eventIds.map((id) => (
                          <Link
                            key={id}
                            to={`/events/${encodeURIComponent(id)}`}
                            onClick={onNavigate}
                            className="tag"
                          >
                            {id}
                          </Link>
                        ))}
                      </span>
                    </td>
                    <td className="secondary">
                      <code className="mono truncate" title={JSON.stringify(run.input)}>
                        {JSON.stringify(run.input)}
                      </code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/**
 * A saved trigger's real runs in the range beside the backtest's: run ids are deterministic, so a
 * run id on one side only is a run the trigger as it is now would start and did not, or the other
 * way round (an older version, a re-run, a run cancelled by hand).
 */
function ActualRuns({
  actual,
  onNavigate,
}: {
  actual: NonNullable<BacktestResult['actual']>;
  onNavigate: () => void;
}) {
  const same = actual.onlyBacktest.length === 0 && actual.onlyActual.length === 0;
  const really = `It really started ${counted(actual.runs, 'run')} in the range`;
  return (
    <div className="stack-sm" data-testid="backtest-actual">
      <h3 className="subheading">What it did</h3>
      <Banner tone={same ? 'ok' : 'warn'} title={same ? `${really}: the same` : really}>
        {same ? (
          <p>Each run it started is one the backtest would start, and none is missing.</p>
        ) : (
          <p>
            The runs on one side only are listed below (the first {SHOWN} of each): a re-run, or a
            run of an older version, is on the real side only.
          </p>
        )}
      </Banner>
      {actual.onlyActual.length > 0 && (
        <IdList label="Started, but not by the backtest">
          {actual.onlyActual.map((id) => (
            <li key={id}>
              <Link to={`/runs/${encodeURIComponent(id)}`} onClick={onNavigate}>
                {id}
              </Link>
            </li>
          ))}
        </IdList>
      )}
      {actual.onlyBacktest.length > 0 && (
        <IdList label="In the backtest only, never started">
          {actual.onlyBacktest.map((id) => (
            <li key={id}>{id}</li>
          ))}
        </IdList>
      )}
    </div>
  );
}

function IdList({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <p className="small muted">{label}</p>
      <ul className="id-list mono small" aria-label={label}>
        {children}
      </ul>
    </div>
  );
}

function runsTitle(runs: number): string {
  if (runs === 0) return 'It would have started no run';
  return `It would have started ${counted(runs, 'run')}`;
}
