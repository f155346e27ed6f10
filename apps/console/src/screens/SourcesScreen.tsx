import type {
  SourceActivityList,
  SourceActivitySummary,
  SourcePage,
  SourceWithStatus,
} from '@flint/contracts';
import { useState } from 'react';
import { useCursorPages, useLoad } from '../app/hooks';
import { Link, useRouter, withSearch } from '../app/router';
import { isAdmin, useSession } from '../app/session';
import { SourceStateBadge, Tag } from '../components/badges';
import { Button } from '../components/buttons';
import { ErrorBanner } from '../components/feedback';
import { EmptyState, PageHeader } from '../components/layout';
import { type Column, DataTable, CursorPager } from '../components/table';
import { TimeAgo } from '../components/time';
import { compact, counted } from '../logic/format';
import { EnabledSwitch } from './EnabledSwitch';
import { OwnerFilter } from './filters';

const PROVIDERS = [
  'webhook',
  'poller',
  'function',
  'cron',
  'file',
  'event',
  'run-status',
  'kafka',
  'redis-stream',
  'nats',
  'rabbitmq',
  'mqtt',
  'sse',
  'websocket',
  's3',
];
const PAGE_SIZE = 25;

type Row = SourceWithStatus & { activity?: SourceActivitySummary };

export function SourcesScreen() {
  const { client, principal } = useSession();
  const { location, navigate } = useRouter();
  const provider = location.search.get('provider') ?? '';
  const enabled = location.search.get('enabled') ?? '';
  const owner = location.search.get('owner') ?? '';
  const pages = useCursorPages(location.search.toString());
  const [actionError, setActionError] = useState<Error>();

  const list = useLoad(
    async (signal) => {
      const page = await client.get<SourcePage>(
        '/api/sources',
        { provider, enabled, owner, limit: PAGE_SIZE, cursor: pages.cursor },
        signal,
      );
      const ids = page.items.map((s) => s.id);
      const activity =
        ids.length === 0
          ? { items: [] }
          : await client.get<SourceActivityList>(
              '/api/activity/sources',
              { ids: ids.join(',') },
              signal,
            );
      const byId = new Map(activity.items.map((a) => [a.sourceId, a]));
      return {
        rows: page.items.map((s) => ({ ...s, activity: byId.get(s.id) })),
        nextCursor: page.nextCursor,
      };
    },
    [client, provider, enabled, owner, pages.cursor],
  );

  const columns: Array<Column<Row>> = [
    {
      key: 'id',
      header: 'Source',
      cell: (s) => (
        <div>
          <Link to={`/sources/${s.id}`} className="strong">
            {s.id}
          </Link>
          {isAdmin(principal) && <span className="owner-note"> · {s.owner}</span>}
          {s.description && (
            <p className="small muted truncate" title={s.description}>
              {s.description}
            </p>
          )}
        </div>
      ),
    },
    { key: 'provider', header: 'Kind', cell: (s) => <Tag>{s.provider}</Tag> },
    {
      key: 'status',
      header: 'Status',
      cell: (s) => (
        <div className="status-cell">
          <SourceStateBadge state={s.status.state} title={s.status.message} />
          {(s.status.consecutiveFailures ?? 0) > 0 && (
            <span className="small muted">
              {counted(s.status.consecutiveFailures ?? 0, 'failure')} in a row
            </span>
          )}
          {s.status.message && (
            <span className="small muted truncate" title={s.status.message}>
              {s.status.message}
            </span>
          )}
        </div>
      ),
    },
    {
      key: 'events',
      header: 'Events (1 h)',
      className: 'num',
      cell: (s) => compact(s.activity?.eventsLastHour ?? 0),
    },
    {
      key: 'last',
      header: 'Last event',
      secondary: true,
      cell: (s) => <TimeAgo iso={s.activity?.lastEventAt} />,
    },
    {
      key: 'enabled',
      header: 'Enabled',
      cell: (s) => (
        <EnabledSwitch
          definition={s}
          onChanged={() => list.reload()}
          onError={(err) => {
            setActionError(err);
            list.reload();
          }}
        />
      ),
    },
  ];

  const filtered = provider !== '' || enabled !== '' || owner !== '';
  return (
    <>
      <PageHeader
        title="Sources"
        subtitle="Webhook endpoints, pollers, schedules, watched folders and event types that feed triggers."
        actions={
          <Button icon="refresh" onClick={list.reload}>
            Refresh
          </Button>
        }
      />
      <div className="toolbar" role="search" aria-label="Filter sources">
        <label className="filter">
          <span>Kind</span>
          <select
            value={provider}
            onChange={(e) => navigate(withSearch(location, { provider: e.target.value }))}
          >
            <option value="">All kinds</option>
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>State</span>
          <select
            value={enabled}
            onChange={(e) => navigate(withSearch(location, { enabled: e.target.value }))}
          >
            <option value="">Enabled and disabled</option>
            <option value="true">Enabled</option>
            <option value="false">Disabled</option>
          </select>
        </label>
        {isAdmin(principal) && <OwnerFilter />}
      </div>
      {list.error && <ErrorBanner error={list.error} title="The sources could not be loaded" />}
      {actionError && <ErrorBanner error={actionError} title="Nothing was changed" />}
      <DataTable
        caption="Sources"
        columns={columns}
        rows={list.data?.rows}
        loading={list.loading}
        rowKey={(s) => s.id}
        empty={
          <EmptyState
            icon="sources"
            title={filtered ? 'No source matches these filters' : 'No sources yet'}
          >
            {filtered ? (
              'Clear a filter to see more.'
            ) : (
              <>
                Apply one with <code>npx flint apply -f source.yaml</code>, or declare it inline in
                a trigger.
              </>
            )}
          </EmptyState>
        }
      />
      <CursorPager label="Sources" pages={pages} nextCursor={list.data?.nextCursor} />
    </>
  );
}
