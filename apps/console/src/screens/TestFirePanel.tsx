import type { RecentEvents, TestEvent, TestFireResult } from '@flint/contracts';
import { type ReactNode, useEffect, useState } from 'react';
import { ApiError, seg } from '../api/client';
import { useLoad } from '../app/hooks';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { Tag } from '../components/badges';
import { Button } from '../components/buttons';
import { CodeBlock } from '../components/code';
import { Banner, ErrorBanner } from '../components/feedback';
import { Field } from '../components/forms';
import { TimeAgo } from '../components/time';
import { prettyJson } from '../logic/format';
import { sampleFromRecent } from '../logic/sample-event';

const REASONS: Record<string, string> = {
  not_listening: 'It does not listen to this event',
  condition_false: 'Its match or condition is false',
  condition_error: 'An expression failed on this event',
  input_error: 'The input cannot be mapped',
  cancels: "It would cancel runs of this event's key (cancelOn)",
};

/**
 * Picks a sample event (one of a source's recent events, or pasted JSON) and asks the API what the
 * trigger makes of it: stored (`POST /api/triggers/{id}/test`) or a draft
 * (`POST /api/triggers/test`). With `live`, the draft is asked again whenever it or the sample
 * changes. Editors of an enabled stored trigger may start the run for real.
 */
export function TestFirePanel({
  sourceIds,
  triggerId,
  draft,
  live,
  ready = true,
  mayStart,
  editor,
}: {
  sourceIds: string[];
  /** A stored trigger: test it as stored. */
  triggerId?: string;
  /** A draft: test this definition. */
  draft?: unknown;
  /** Test the draft as it changes, while `ready` (it is valid). */
  live?: boolean;
  ready?: boolean;
  mayStart?: boolean;
  /** Renders the sample editor; a textarea by default. */
  editor?: (props: {
    value: string;
    onChange: (value: string) => void;
    labelledBy: string;
    describedBy?: string;
  }) => ReactNode;
}) {
  const { client } = useSession();
  const [chosen, setSource] = useState(sourceIds[0] ?? '');
  const source = sourceIds.includes(chosen) ? chosen : (sourceIds[0] ?? '');
  /** What the person typed or picked; until then, the newest recent event. */
  const [edited, setSampleText] = useState<string>();
  const [note, setNote] = useState<string>();
  const [result, setResult] = useState<TestFireResult>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const recent = useLoad(
    (signal) =>
      source === ''
        ? Promise.resolve<RecentEvents>({ sourceId: '', items: [] })
        : client.get<RecentEvents>(`/api/sources/${seg(source)}/events`, { limit: 10 }, signal),
    [client, source],
  );

  const newest = recent.data?.items[0];
  const sampleText =
    edited ??
    (newest
      ? JSON.stringify(sampleFromRecent(source, newest).sample, null, 2)
      : '{\n  "data": {}\n}');
  let sample: TestEvent | undefined;
  let sampleError: string | undefined;
  try {
    sample = JSON.parse(sampleText) as TestEvent;
  } catch (err) {
    sampleError = `not JSON: ${(err as Error).message}`;
  }

  const run = async (start: boolean) => {
    if (!sample) return;
    setBusy(true);
    setError(undefined);
    try {
      const answer = triggerId
        ? await client.post<TestFireResult>(`/api/triggers/${seg(triggerId)}/test`, {
            event: sample,
            start,
          })
        : await client.post<TestFireResult>('/api/triggers/test', {
            trigger: draft,
            event: sample,
          });
      setResult(answer);
    } catch (err) {
      setResult(undefined);
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const draftKey = live ? JSON.stringify(draft) : '';
  useEffect(() => {
    if (!live || !ready || !sample) return;
    const timer = setTimeout(() => void run(false), 400);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- re-test when the draft or sample text changes
  }, [draftKey, sampleText, live, ready]);

  const pick = (index: number) => {
    const event = recent.data?.items[index];
    if (!event) return;
    const { sample: picked, complete } = sampleFromRecent(source, event);
    setSampleText(JSON.stringify(picked, null, 2));
    setNote(
      complete
        ? undefined
        : 'Only the start of this event’s data was kept: check the data before testing.',
    );
  };

  return (
    <div className="test-panel">
      <div className="test-sample">
        {sourceIds.length > 0 && (
          <div className="sample-picker">
            <label className="filter">
              <span>Recent events of</span>
              <select value={source} onChange={(e) => setSource(e.target.value)}>
                {sourceIds.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </select>
            </label>
            {recent.data && recent.data.items.length === 0 && (
              <p className="small muted">No recent events from {source}: paste a sample below.</p>
            )}
            <ul className="sample-list" aria-label={`Recent events of ${source}`}>
              {recent.data?.items.map((event, index) => (
                <li key={event.id}>
                  <button type="button" className="sample-item" onClick={() => pick(index)}>
                    <span className="mono truncate">{event.id}</span>
                    <span className="small muted truncate">{event.type}</span>
                    <TimeAgo iso={event.acceptedAt} />
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        {note && (
          <Banner tone="warn">
            <p>{note}</p>
          </Banner>
        )}
        <Field
          label="Sample event"
          error={sampleError}
          hint="A CloudEvent, partial is fine: what it leaves out is filled in so that it reaches the trigger."
        >
          {(props, labelId) =>
            editor ? (
              editor({
                value: sampleText,
                onChange: setSampleText,
                labelledBy: labelId,
                describedBy: props['aria-describedby'],
              })
            ) : (
              <textarea
                {...props}
                className="mono"
                rows={10}
                spellCheck={false}
                value={sampleText}
                onChange={(e) => setSampleText(e.target.value)}
              />
            )
          }
        </Field>
        <div className="button-row">
          {!live && (
            <Button
              variant="primary"
              icon="flask"
              busy={busy}
              disabled={!sample}
              onClick={() => void run(false)}
            >
              Test
            </Button>
          )}
          {mayStart && triggerId && (
            <Button icon="runs" busy={busy} disabled={!sample} onClick={() => void run(true)}>
              Test and start the run
            </Button>
          )}
        </div>
      </div>
      <div className="test-result" aria-live="polite">
        {live && !ready ? (
          <p className="muted small">The result shows here once the trigger is valid.</p>
        ) : (
          <>
            {error && (
              <ErrorBanner
                error={error}
                title={
                  error instanceof ApiError && error.code === 'invalid_definitions'
                    ? 'The draft is not valid yet'
                    : 'The test failed'
                }
              />
            )}
            {result && <TestResult result={result} />}
            {!result && !error && (
              <p className="muted small">
                {live ? 'The result shows here as you edit.' : 'Pick or paste an event, then test.'}
              </p>
            )}
          </>
        )}
      </div>
    </div>
  );
}

function TestResult({ result }: { result: TestFireResult }) {
  return (
    <div className="stack-sm" data-testid="test-result" data-matched={result.matched}>
      {result.matched ? (
        <Banner tone="ok" title={result.started ? 'Fires, and the run was started' : 'Fires'}>
          <p>
            Run id <code>{result.runId}</code>
            {result.started && result.runId && (
              <>
                {' '}
                · <Link to={`/runs/${encodeURIComponent(result.runId)}`}>open the run</Link>
              </>
            )}
          </p>
          {result.dedupeKey && (
            <p>
              Dedupe key <Tag>{result.dedupeKey}</Tag>
            </p>
          )}
        </Banner>
      ) : (
        <Banner
          tone="warn"
          title={`Does not fire: ${(REASONS[result.reason?.code ?? ''] ?? 'no match').toLowerCase()}`}
        >
          <p>{result.reason?.message}</p>
        </Banner>
      )}
      {result.matched && (
        <>
          <h3 className="subheading">Workflow input</h3>
          <CodeBlock
            code={prettyJson(result.input) || 'null'}
            label="mapped input"
            maxHeight={260}
          />
        </>
      )}
      <details className="details">
        <summary>The event as the trigger saw it</summary>
        <CodeBlock code={prettyJson(result.event)} label="completed event" maxHeight={260} />
      </details>
    </div>
  );
}
