import type { Overview, RunPage } from '@flint/contracts';
import { useLoad, useInterval } from '../app/hooks';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { RunStatusBadge, SourceStateBadge } from '../components/badges';
import { Button } from '../components/buttons';
import { BarChart } from '../components/charts';
import { ErrorBanner } from '../components/feedback';
import { Icon, type IconName } from '../components/icons';
import { Card, EmptyState, PageHeader } from '../components/layout';
import { TimeAgo } from '../components/time';
import { compact, duration, rate } from '../logic/format';

/** What happened in the last hour, and what needs attention, at a glance. */
export function OverviewScreen() {
  const { client } = useSession();
  const overview = useLoad((signal) => client.get<Overview>('/api/overview', {}, signal), [client]);
  const failures = useLoad(
    (signal) => client.get<RunPage>('/api/runs', { status: 'FAILED', limit: 5 }, signal),
    [client],
  );
  const latest = useLoad(
    (signal) => client.get<RunPage>('/api/runs', { limit: 8 }, signal),
    [client],
  );
  useInterval(() => {
    overview.reload();
    failures.reload();
    latest.reload();
  }, 15_000);

  const data = overview.data;
  const labels = data?.series.map((m) => m.minute.slice(11, 16)) ?? [];
  const lastMinute = data?.series[data.series.length - 2];

  return (
    <>
      <PageHeader
        title="Overview"
        subtitle="The last hour, per minute. Refreshes every 15 seconds."
        actions={
          <Button
            icon="refresh"
            onClick={() => {
              overview.reload();
              failures.reload();
              latest.reload();
            }}
          >
            Refresh
          </Button>
        }
      />
      {overview.error && (
        <ErrorBanner error={overview.error} title="The overview could not be loaded" />
      )}
      <div className="tiles">
        <Tile
          icon="pulse"
          label="Events"
          value={data ? rate(data.totals.events / Math.max(1, data.series.length)) : undefined}
          detail={
            data
              ? `${compact(data.totals.events)} in the hour · ${compact(lastMinute?.events ?? 0)} in the last minute`
              : ''
          }
          to="/sources"
        />
        <Tile
          icon="runs"
          label="Runs"
          value={data ? rate(data.totals.runsStarted / Math.max(1, data.series.length)) : undefined}
          detail={
            data
              ? `${compact(data.totals.runsStarted)} started · ${compact(data.totals.runsSucceeded)} succeeded`
              : ''
          }
          to="/runs"
        />
        <Tile
          icon="alert"
          label="Failed runs"
          value={data ? compact(data.totals.runsFailed) : undefined}
          detail="in the last hour"
          tone={data && data.totals.runsFailed > 0 ? 'bad' : undefined}
          to="/runs?status=FAILED"
        />
        <Tile
          icon="sources"
          label="Sources down"
          value={data ? String(data.sources.down.length) : undefined}
          detail={data ? `of ${data.sources.enabled} enabled (${data.sources.total} in all)` : ''}
          tone={data && data.sources.down.length > 0 ? 'bad' : 'ok'}
          to="/sources"
        />
        {data?.deadLetters && (
          <Tile
            icon="inbox"
            label="Dead letters"
            value={compact(data.deadLetters.waiting)}
            detail={`waiting · ${compact(data.deadLetters.inRange)} in the last hour`}
            tone={data.deadLetters.waiting > 0 ? 'bad' : 'ok'}
            to="/dead-letters?resent=false"
          />
        )}
        <Tile
          icon="triggers"
          label="Triggers"
          value={data ? String(data.triggers.enabled) : undefined}
          detail={data ? `enabled of ${data.triggers.total}` : ''}
          to="/triggers"
        />
      </div>
      <div className="grid-2">
        <Card title="Events per minute">
          {data && (
            <BarChart
              labels={labels}
              series={[
                { label: 'events', tone: 'bar-events', values: data.series.map((m) => m.events) },
              ]}
              summary={`${data.totals.events} events in the last hour`}
            />
          )}
        </Card>
        <Card
          title="Runs per minute"
          actions={
            <div className="legend" aria-hidden="true">
              <span className="legend-item">
                <span className="swatch bar-ok" /> succeeded
              </span>
              <span className="legend-item">
                <span className="swatch bar-bad" /> failed
              </span>
              <span className="legend-item">
                <span className="swatch bar-started" /> started
              </span>
            </div>
          }
        >
          {data && (
            <BarChart
              labels={labels}
              series={[
                {
                  label: 'succeeded',
                  tone: 'bar-ok',
                  values: data.series.map((m) => m.runsSucceeded),
                },
                { label: 'failed', tone: 'bar-bad', values: data.series.map((m) => m.runsFailed) },
                {
                  label: 'started, not finished',
                  tone: 'bar-started',
                  values: data.series.map((m) =>
                    Math.max(0, m.runsStarted - m.runsSucceeded - m.runsFailed),
                  ),
                },
              ]}
              summary={`${data.totals.runsStarted} runs started, ${data.totals.runsSucceeded} succeeded and ${data.totals.runsFailed} failed in the last hour`}
            />
          )}
        </Card>
      </div>
      <div className="grid-2">
        <Card title="Sources that need attention">
          {data && data.sources.down.length === 0 && (
            <EmptyState icon="check" title="Every enabled source is up">
              Sources report here when their provider service cannot run them.
            </EmptyState>
          )}
          <ul className="list">
            {data?.sources.down.map((source) => (
              <li key={source.id} className="list-row">
                <div className="list-main">
                  <Link to={`/sources/${source.id}`} className="strong">
                    {source.id}
                  </Link>
                  <span className="muted small"> {source.provider}</span>
                  {source.health.message && (
                    <p className="small muted wrap">{source.health.message}</p>
                  )}
                </div>
                <SourceStateBadge state={source.health.state} />
              </li>
            ))}
          </ul>
        </Card>
        <Card
          title="Recent failures"
          actions={<Link to="/runs?status=FAILED">All failed runs</Link>}
        >
          {failures.data && failures.data.items.length === 0 && (
            <EmptyState icon="check" title="No failed runs">
              Runs whose workflow could not be started end up here.
            </EmptyState>
          )}
          <ul className="list">
            {failures.data?.items.map((run) => (
              <li key={run.runId} className="list-row">
                <div className="list-main">
                  <Link to={`/runs/${encodeURIComponent(run.runId)}`} className="strong">
                    {run.triggerId}
                  </Link>
                  <p className="small muted wrap">
                    {run.error ? `${run.error.type}: ${run.error.message}` : 'no error recorded'}
                  </p>
                </div>
                <TimeAgo iso={run.finishedAt ?? run.requestedAt} />
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <Card title="Latest runs" actions={<Link to="/runs">All runs</Link>}>
        {latest.data && latest.data.items.length === 0 && (
          <EmptyState icon="runs" title="No runs yet">
            Send an event to a source a trigger listens to, or test-fire a trigger.
          </EmptyState>
        )}
        <ul className="list">
          {latest.data?.items.map((run) => (
            <li key={run.runId} className="list-row">
              <RunStatusBadge status={run.status} />
              <div className="list-main">
                <Link to={`/runs/${encodeURIComponent(run.runId)}`} className="mono">
                  {run.runId}
                </Link>
              </div>
              <span className="muted small secondary">{duration(run.durationMs)}</span>
              <TimeAgo iso={run.requestedAt} />
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}

function Tile({
  icon,
  label,
  value,
  detail,
  to,
  tone,
}: {
  icon: IconName;
  label: string;
  /** A count, or a rate with its unit; undefined while loading. */
  value: string | { value: string; unit: string } | undefined;
  detail: string;
  to: string;
  tone?: 'ok' | 'bad';
}) {
  return (
    <Link to={to} className={`tile ${tone ? `tile-${tone}` : ''}`}>
      <span className="tile-label">
        <Icon name={icon} size={16} />
        {label}
      </span>
      <span className="tile-value">
        {value === undefined ? '…' : typeof value === 'string' ? value : value.value}
        {typeof value === 'object' && <span className="tile-unit">{value.unit}</span>}
      </span>
      <span className="tile-detail">{detail}</span>
    </Link>
  );
}
