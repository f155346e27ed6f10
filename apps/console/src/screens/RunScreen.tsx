import type { RunDetail } from '@flint/contracts';
import { ApiError, seg } from '../api/client';
import { useInterval, useLoad } from '../app/hooks';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { PriorityValue, RunStatusBadge, Tag } from '../components/badges';
import { CopyButton } from '../components/buttons';
import { CodeBlock } from '../components/code';
import { Banner, ErrorBanner, Loading } from '../components/feedback';
import { Icon } from '../components/icons';
import { Card, EmptyState, Facts, PageHeader } from '../components/layout';
import { TimeAgo } from '../components/time';
import { attempts, clockTime, dateTime, duration, prettyJson } from '../logic/format';
import { runTimeline } from '../logic/timeline';
import { RunActions } from './RunActions';

const ACTIVE = new Set(['REQUESTED', 'STARTED']);

export function RunScreen({ runId }: { runId: string }) {
  const { client, settings } = useSession();
  const run = useLoad(
    (signal) => client.get<RunDetail>(`/api/runs/${seg(runId)}`, {}, signal),
    [client, runId],
  );
  // A run id the runner has not claimed yet (a re-run just asked for) is not found for a moment.
  const unclaimed = run.error instanceof ApiError && run.error.status === 404;
  // A run still in progress is followed until it ends.
  const following = unclaimed || (run.data !== undefined && ACTIVE.has(run.data.status));
  useInterval(() => run.reload(), following ? 1500 : undefined);

  const r = run.data?.runId === runId ? run.data : undefined;
  if (!r && unclaimed) {
    return (
      <>
        <PageHeader crumbs={[{ label: 'Runs', to: '/runs' }]} title={runId} />
        <EmptyState icon="runs" title="No runner has claimed this run yet">
          A run appears once a runner claims it, a moment after it was requested. This page keeps
          looking.
        </EmptyState>
      </>
    );
  }
  if (run.error && !r)
    return <ErrorBanner error={run.error} title={`Run ${runId} could not be loaded`} />;
  if (!r) return <Loading />;
  const traceUrl =
    r.traceId && settings.traceUrlTemplate
      ? settings.traceUrlTemplate.replaceAll('{traceId}', r.traceId)
      : undefined;

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Runs', to: '/runs' },
          { label: r.triggerId, to: `/triggers/${r.triggerId}` },
        ]}
        title={
          <span className="title-with-badges">
            <span className="mono title-mono">{r.runId}</span>
            <RunStatusBadge status={r.status} />
          </span>
        }
        subtitle={
          <>
            Run of <Link to={`/triggers/${r.triggerId}`}>{r.triggerId}</Link> (version{' '}
            {r.triggerVersion}), requested <TimeAgo iso={r.requestedAt} />
          </>
        }
        actions={<RunActions run={r} onChanged={run.reload} />}
      />
      {r.rerunOf && (
        <Banner tone="info" title="A re-run">
          <p>
            It re-runs{' '}
            <Link to={`/runs/${encodeURIComponent(r.rerunOf)}`} className="mono">
              {r.rerunOf}
            </Link>
            .
          </p>
        </Banner>
      )}
      {r.cancelRequestedAt && ACTIVE.has(r.status) && (
        <Banner tone="warn" title="Cancelling">
          <p>
            Cancellation was asked for {dateTime(r.cancelRequestedAt)}; the runner carries it out.
          </p>
        </Banner>
      )}
      {r.error && (
        <Banner
          tone={r.status === 'CANCELLED' ? 'info' : 'error'}
          title={r.status === 'CANCELLED' ? 'Cancelled on request' : r.error.type}
        >
          <p>{r.error.message}</p>
        </Banner>
      )}
      {r.statusReason && (
        <Banner tone="info" title={r.status === 'SKIPPED' ? 'Why it was skipped' : 'Waiting'}>
          <p>{r.statusReason}</p>
        </Banner>
      )}
      <div className="grid-main-side">
        <div className="stack">
          <Card title="Timeline">
            <ol className="timeline">
              {runTimeline(r).map((step) => (
                <li key={step.key} className={`timeline-step timeline-${step.tone}`}>
                  <span className="timeline-dot" aria-hidden="true" />
                  <div className="timeline-body">
                    <p className="timeline-title">
                      {step.title}
                      {step.duration !== undefined && (
                        <span className="muted small"> · {duration(step.duration)}</span>
                      )}
                    </p>
                    {step.detail && <p className="small muted wrap">{step.detail}</p>}
                    {step.response && (
                      <p className="small">
                        <Tag tone={step.response.status < 400 ? 'ok' : 'bad'}>
                          HTTP {step.response.status}
                        </Tag>{' '}
                        <code className="wrap">{step.response.excerpt}</code>
                      </p>
                    )}
                  </div>
                  <time
                    className="timeline-time small muted"
                    dateTime={step.at}
                    title={dateTime(step.at)}
                  >
                    {clockTime(step.at)}
                  </time>
                </li>
              ))}
            </ol>
          </Card>
          <Card title="Input">
            <CodeBlock code={prettyJson(r.input) || 'null'} label="run input" maxHeight={360} />
          </Card>
          {r.result !== undefined && (
            <Card title="Result">
              <CodeBlock code={prettyJson(r.result)} label="run result" maxHeight={360} />
            </Card>
          )}
          {r.logLines.length > 0 && (
            <Card title="Workflow log">
              <CodeBlock code={r.logLines.join('\n')} label="workflow log" maxHeight={300} />
            </Card>
          )}
        </div>
        <div className="stack">
          <Card title="Details">
            <Facts
              items={[
                [
                  'Trigger',
                  <Link key="t" to={`/triggers/${r.triggerId}`}>
                    {r.triggerId}
                  </Link>,
                ],
                ['Owner', r.owner],
                ['Target', r.workflow ? `${r.targetType} · ${r.workflow}` : r.targetType],
                ['Attempts', attempts(r)],
                ['Duration', duration(r.durationMs)],
                ['Provider', r.provider],
                [
                  'Dedupe key',
                  r.dedupeKey && (
                    <code key="d" className="wrap">
                      {r.dedupeKey}
                    </code>
                  ),
                ],
                ['Concurrency key', r.concurrencyKey && <code key="c">{r.concurrencyKey}</code>],
                ['Priority', <PriorityValue key="p" priority={r.priority} />],
                ['Next attempt', r.nextAttemptAt && dateTime(r.nextAttemptAt)],
              ]}
            />
          </Card>
          <Card
            title={
              r.eventIds.length === 1 ? 'Causing event' : `Causing events (${r.eventIds.length})`
            }
          >
            <ul className="list">
              {r.eventIds.map((id) => (
                <li key={id} className="list-row">
                  <Link
                    to={`/events/${encodeURIComponent(id)}`}
                    className="mono wrap list-main"
                    data-testid="event-id"
                  >
                    {id}
                  </Link>
                  <CopyButton text={id} label={`Copy event id ${id}`} />
                </li>
              ))}
            </ul>
            <p className="small muted">Accepted {dateTime(r.acceptedAt)}.</p>
          </Card>
          {r.reruns.length > 0 && (
            <Card title={`Re-runs (${r.reruns.length})`}>
              <ul className="list">
                {r.reruns.map((id) => (
                  <li key={id} className="list-row">
                    <Link to={`/runs/${encodeURIComponent(id)}`} className="mono wrap list-main">
                      {id}
                    </Link>
                  </li>
                ))}
              </ul>
            </Card>
          )}
          <Card title="Trace">
            {r.traceId ? (
              <div className="list-row">
                <code className="wrap">{r.traceId}</code>
                {traceUrl ? (
                  <a
                    href={traceUrl}
                    target="_blank"
                    rel="noreferrer"
                    className="btn btn-ghost btn-sm"
                  >
                    <Icon name="external" size={14} />
                    Open trace
                  </a>
                ) : (
                  <CopyButton text={r.traceId} label="Copy trace id" />
                )}
              </div>
            ) : (
              <p className="muted small">No trace id was recorded for this run.</p>
            )}
            {r.traceId && !traceUrl && (
              <p className="small muted">
                Set <code>FLINT_TRACE_URL_TEMPLATE</code> on the api to link to your trace viewer.
              </p>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
