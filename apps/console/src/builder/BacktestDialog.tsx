import type { BacktestResult } from '@flint/contracts';
import { useState } from 'react';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { Tag } from '../components/badges';
import { Button } from '../components/buttons';
import { Dialog } from '../components/dialog';
import { Banner, ErrorBanner } from '../components/feedback';
import { Field } from '../components/forms';
import { BACKTEST_PRESETS, decisionCounts, lastRange } from '../logic/backtest';
import { compact, dateTime, localToIso } from '../logic/format';

/** How many would-be runs the dialog lists; all are counted. */
const SHOWN = 20;

/**
 * Runs the draft over the archived events of a range (`POST /api/triggers/backtest`): nothing is
 * started or stored, so a person sees the runs a change would have made before saving it.
 */
export function BacktestDialog({
  draft,
  open,
  onClose,
}: {
  draft: Record<string, unknown>;
  open: boolean;
  onClose: () => void;
}) {
  const { client } = useSession();
  const [range, setRange] = useState(() => lastRange(BACKTEST_PRESETS[1].ms));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [result, setResult] = useState<BacktestResult>();
  const from = localToIso(range.from);
  const to = localToIso(range.to);

  const run = async () => {
    if (!from || !to) return;
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await client.post<BacktestResult>('/api/triggers/backtest', {
          trigger: draft,
          from,
          to,
          limit: SHOWN,
        }),
      );
    } catch (err) {
      setResult(undefined);
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title="Backtest the draft"
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button
            variant="primary"
            icon="history"
            busy={busy}
            disabled={!from || !to}
            onClick={() => void run()}
          >
            Run backtest
          </Button>
        </>
      }
    >
      <p>
        The draft meets the archived events of a range as the evaluator would have: nothing is
        started, sent or stored.
      </p>
      <div className="button-row" role="group" aria-label="Ranges">
        {BACKTEST_PRESETS.map((preset) => (
          <Button key={preset.label} small onClick={() => setRange(lastRange(preset.ms))}>
            {preset.label}
          </Button>
        ))}
      </div>
      <div className="form-grid">
        <Field label="From" error={range.from !== '' && !from ? 'not a time' : undefined}>
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              value={range.from}
              onChange={(e) => setRange((r) => ({ ...r, from: e.target.value }))}
            />
          )}
        </Field>
        <Field label="Until" error={range.to !== '' && !to ? 'not a time' : undefined}>
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              value={range.to}
              onChange={(e) => setRange((r) => ({ ...r, to: e.target.value }))}
            />
          )}
        </Field>
      </div>
      {error && <ErrorBanner error={error} title="The backtest did not run" />}
      {result && <BacktestOutcome result={result} onNavigate={onClose} />}
    </Dialog>
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
          From {compact(result.events)} archived event{result.events === 1 ? '' : 's'} between{' '}
          {dateTime(result.from)} and {dateTime(result.to)}.
        </p>
      </Banner>
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
                      <code className="mono truncate">{JSON.stringify(run.input)}</code>
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

function runsTitle(runs: number): string {
  if (runs === 0) return 'It would have started no run';
  return `It would have started ${compact(runs)} run${runs === 1 ? '' : 's'}`;
}
