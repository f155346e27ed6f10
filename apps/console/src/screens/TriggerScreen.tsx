import type { RunPage, StoredDefinition, StoredTrigger, TriggerStats } from '@flint/contracts';
import { useState } from 'react';
import { seg } from '../api/client';
import { useLoad } from '../app/hooks';
import { Link, useRouter, withSearch } from '../app/router';
import { useCanChange, useSession } from '../app/session';
import { RunStatusBadge, Tag } from '../components/badges';
import { Button, LinkButton } from '../components/buttons';
import { BarChart } from '../components/charts';
import { CodeBlock } from '../components/code';
import { ErrorBanner, Loading } from '../components/feedback';
import { Card, EmptyState, Facts, PageHeader } from '../components/layout';
import { Tabs } from '../components/tabs';
import { TimeAgo } from '../components/time';
import { compact, dateTime } from '../logic/format';
import { toYaml } from '../logic/yaml';
import { BacktestDialog } from './BacktestDialog';
import { listensTo, targetLabel } from './describe';
import { EnabledSwitch } from './EnabledSwitch';
import { RunsTable } from './RunsTable';
import { TestFirePanel } from './TestFirePanel';
import { VersionsPanel } from './VersionsPanel';

type Tab = 'overview' | 'runs' | 'test' | 'versions' | 'definition';

export function TriggerScreen({ id }: { id: string }) {
  const { client } = useSession();
  const { location, navigate } = useRouter();
  const tab = (location.search.get('tab') as Tab | null) ?? 'overview';
  const [actionError, setActionError] = useState<Error>();
  const [backtesting, setBacktesting] = useState(false);
  const trigger = useLoad(
    (signal) => client.get<StoredTrigger>(`/api/triggers/${seg(id)}`, {}, signal),
    [client, id],
  );
  const mayChange = useCanChange(trigger.data?.owner);

  if (trigger.error)
    return <ErrorBanner error={trigger.error} title={`Trigger ${id} could not be loaded`} />;
  const t = trigger.data;
  if (!t) return <Loading />;
  const sourceIds = (t.sources ?? []).flatMap((s) => (typeof s === 'string' ? [s] : []));

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Triggers', to: '/triggers' }]}
        title={t.id}
        subtitle={t.description}
        actions={
          <>
            <label className="switch-label">
              <EnabledSwitch
                definition={t as StoredDefinition}
                onChanged={() => trigger.reload()}
                onError={(err) => {
                  setActionError(err);
                  trigger.reload();
                }}
              />
              {mayChange && <span>{t.enabled ? 'Enabled' : 'Disabled'}</span>}
            </label>
            <Button icon="history" onClick={() => setBacktesting(true)}>
              Backtest
            </Button>
            {mayChange && (
              <LinkButton to={`/builder/${t.id}`} variant="primary" icon="edit">
                Edit
              </LinkButton>
            )}
          </>
        }
      />
      {actionError && <ErrorBanner error={actionError} title="Nothing was changed" />}
      {/* Mounted per opening: a result always belongs to the trigger as it is now. */}
      {backtesting && (
        <BacktestDialog subject={{ triggerId: t.id }} open onClose={() => setBacktesting(false)} />
      )}
      <Tabs
        label="Trigger"
        active={tab}
        onChange={(next) =>
          navigate(withSearch(location, { tab: next === 'overview' ? undefined : next }), {
            replace: true,
          })
        }
        tabs={[
          { id: 'overview', label: 'Overview' },
          { id: 'runs', label: 'Runs' },
          { id: 'test', label: 'Test' },
          { id: 'versions', label: 'Versions' },
          { id: 'definition', label: 'Definition' },
        ]}
      >
        {tab === 'overview' && <TriggerOverview trigger={t} />}
        {tab === 'runs' && <RunsTable filter={{ trigger: t.id }} showTrigger={false} />}
        {tab === 'test' && (
          <Card title="Test-fire">
            <TestFirePanel
              sourceIds={sourceIds}
              triggerId={t.id}
              mayStart={mayChange && t.enabled}
            />
          </Card>
        )}
        {tab === 'versions' && <VersionsPanel kind="trigger" id={t.id} />}
        {tab === 'definition' && (
          <Card
            title="Definition"
            actions={
              <span className="small muted">
                version {t.version} · {dateTime(t.updatedAt)}
              </span>
            }
          >
            <CodeBlock
              code={toYaml(t as unknown as Record<string, unknown>)}
              label="trigger definition"
              wrap
            />
          </Card>
        )}
      </Tabs>
    </>
  );
}

function TriggerOverview({ trigger }: { trigger: StoredTrigger }) {
  const { client } = useSession();
  const stats = useLoad(
    (signal) => client.get<TriggerStats>(`/api/triggers/${seg(trigger.id)}/stats`, {}, signal),
    [client, trigger.id],
  );
  const s = stats.data;
  const minutes = everyMinute(s);
  return (
    <div className="grid-main-side">
      <div className="stack">
        <Card title="The last hour">
          {stats.error && <ErrorBanner error={stats.error} />}
          {s && (
            <>
              <div className="mini-tiles">
                {(
                  [
                    ['Received', s.totals.received],
                    ['Matched', s.totals.matched],
                    ['Dropped', s.totals.dropped],
                    ['Duplicates', s.totals.duplicate],
                    ['Errors', s.totals.errors],
                    ['Runs started', s.totals.started],
                    ['Runs failed', s.totals.failed],
                  ] as const
                ).map(([label, value]) => (
                  <div key={label} className="mini-tile">
                    <span className="mini-tile-value">{compact(value)}</span>
                    <span className="mini-tile-label">{label}</span>
                  </div>
                ))}
              </div>
              <BarChart
                labels={minutes.map((m) => m.label)}
                series={[
                  { label: 'matched', tone: 'bar-ok', values: minutes.map((m) => m.matched) },
                  { label: 'dropped', tone: 'bar-muted', values: minutes.map((m) => m.dropped) },
                  { label: 'errors', tone: 'bar-bad', values: minutes.map((m) => m.errors) },
                ]}
                summary={`${s.totals.received} events received, ${s.totals.matched} matched, ${s.totals.dropped} dropped in the last hour`}
              />
            </>
          )}
        </Card>
        <LatestRuns triggerId={trigger.id} />
      </div>
      <div className="stack">
        <Card title="What it does">
          <Facts
            items={[
              [
                'Listens to',
                <div key="l" className="chips">
                  {listensTo(trigger).map((item) =>
                    item.to ? (
                      <Link key={item.label} to={item.to} className="tag tag-neutral">
                        {item.label}
                      </Link>
                    ) : (
                      <Tag key={item.label}>{item.label}</Tag>
                    ),
                  )}
                </div>,
              ],
              [
                'Condition',
                trigger.condition && (
                  <code key="c" className="wrap">
                    {trigger.condition}
                  </code>
                ),
              ],
              [
                'Match',
                trigger.match && (
                  <code key="m" className="wrap">
                    {JSON.stringify(trigger.match)}
                  </code>
                ),
              ],
              [
                'Dedupe',
                trigger.dedupe &&
                  `${trigger.dedupe.key ?? 'event id'} within ${trigger.dedupe.window}`,
              ],
              [
                'Batch',
                trigger.batch &&
                  [
                    trigger.batch.size && `${trigger.batch.size} events`,
                    trigger.batch.timeout && `or ${trigger.batch.timeout}`,
                  ]
                    .filter(Boolean)
                    .join(' '),
              ],
              ['Starts', targetLabel(trigger)],
              ['Retries', `${trigger.retry.maxAttempts} attempts`],
              ['Owner', trigger.owner],
              ['Version', `${trigger.version} · ${dateTime(trigger.updatedAt)}`],
            ]}
          />
        </Card>
      </div>
    </div>
  );
}

function LatestRuns({ triggerId }: { triggerId: string }) {
  const { client } = useSession();
  const runs = useLoad(
    (signal) => client.get<RunPage>(`/api/triggers/${seg(triggerId)}/runs`, { limit: 6 }, signal),
    [client, triggerId],
  );
  return (
    <Card
      title="Latest runs"
      actions={<Link to={`/triggers/${triggerId}?tab=runs`}>All runs</Link>}
    >
      {runs.data && runs.data.items.length === 0 && (
        <EmptyState icon="runs" title="It has not fired yet">
          Test it on the Test tab, or send an event to a source it listens to.
        </EmptyState>
      )}
      <ul className="list">
        {runs.data?.items.map((run) => (
          <li key={run.runId} className="list-row">
            <RunStatusBadge status={run.status} />
            <div className="list-main">
              <Link to={`/runs/${encodeURIComponent(run.runId)}`} className="mono small">
                {run.runId}
              </Link>
              {run.error && <p className="small text-bad wrap">{run.error.message}</p>}
            </div>
            <TimeAgo iso={run.requestedAt} />
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** The stats' minutes with activity, spread over every minute of the hour. */
function everyMinute(stats: TriggerStats | undefined) {
  if (!stats) return [];
  const byMinute = new Map(stats.series.map((m) => [m.minute, m]));
  const out = [];
  const start = Math.floor(Date.parse(stats.since) / 60_000) * 60_000;
  for (let t = start; t < Date.parse(stats.until); t += 60_000) {
    const iso = new Date(t).toISOString();
    const m = byMinute.get(iso);
    out.push({
      label: iso.slice(11, 16),
      matched: m?.matched ?? 0,
      dropped: m?.dropped ?? 0,
      errors: m?.errors ?? 0,
    });
  }
  return out;
}
