import type { RunPage, RunSummary } from '@flint/contracts';
import { useEffect, useMemo, useState } from 'react';
import { followRuns, type StreamState } from '../api/streams';
import { type Query } from '../api/client';
import { useCursorPages, useLoad } from '../app/hooks';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { PriorityValue, RunStatusBadge } from '../components/badges';
import { Button } from '../components/buttons';
import { Banner, ErrorBanner } from '../components/feedback';
import { EmptyState } from '../components/layout';
import { LiveBar } from '../components/live-bar';
import { type Column, DataTable, CursorPager } from '../components/table';
import { TimeAgo } from '../components/time';
import { duration } from '../logic/format';
import { withStreamed } from '../logic/live-list';

const PAGE_SIZE = 25;

/**
 * Runs, newest first, a page at a time; with Live on (first page, no time range), runs appear and
 * change as the API's run stream reports them.
 */
export function RunsTable({
  filter,
  showTrigger = true,
}: {
  filter: Query;
  showTrigger?: boolean;
}) {
  const { client } = useSession();
  const filterKey = JSON.stringify(filter);
  const pages = useCursorPages(filterKey);
  const [live, setLive] = useState(true);
  const [streamState, setStreamState] = useState<StreamState>('connecting');
  const [overflow, setOverflow] = useState(false);
  /** What the stream told since the list was last loaded, newest last. */
  const [streamed, setStreamed] = useState<ReadonlyMap<string, RunSummary>>(new Map());
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());

  const list = useLoad(
    (signal) =>
      client.get<RunPage>(
        '/api/runs',
        { ...filter, limit: PAGE_SIZE, cursor: pages.cursor },
        signal,
      ),
    [client, filterKey, pages.cursor],
  );
  const reload = () => {
    setStreamed(new Map());
    list.reload();
  };

  const timeBound = Boolean(filter.since || filter.until);
  const streaming = live && pages.page === 1 && !timeBound;
  const rows = useMemo(
    () =>
      streaming
        ? withStreamed(list.data?.items, [...streamed.values()].reverse(), (run) => run.runId)
        : list.data?.items,
    [streaming, list.data, streamed],
  );
  useEffect(() => {
    if (!streaming) return;
    const controller = new AbortController();
    const { trigger, status, owner } = filter;
    void followRuns(
      client,
      { trigger, status, owner },
      {
        onItem: (run) => {
          setStreamed((current) => {
            const next = new Map(current);
            next.delete(run.runId);
            next.set(run.runId, run);
            // The live view keeps the newest few hundred; older ones are a reload away.
            while (next.size > PAGE_SIZE * 8) next.delete(next.keys().next().value as string);
            return next;
          });
          setFresh((current) => new Set(current).add(run.runId));
          setTimeout(
            () =>
              setFresh((current) => {
                const next = new Set(current);
                next.delete(run.runId);
                return next;
              }),
            2500,
          );
        },
        onOverflow: () => setOverflow(true),
        onState: setStreamState,
      },
      controller.signal,
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- filterKey stands for filter
  }, [client, streaming, filterKey]);

  const columns: Array<Column<RunSummary>> = [
    { key: 'status', header: 'Status', cell: (r) => <RunStatusBadge status={r.status} /> },
    {
      key: 'run',
      header: 'Run',
      cell: (r) => (
        <Link to={`/runs/${encodeURIComponent(r.runId)}`} className="mono run-link" title={r.runId}>
          {shortRunId(r)}
        </Link>
      ),
    },
    ...(showTrigger
      ? [
          {
            key: 'trigger',
            header: 'Trigger',
            className: 'nowrap',
            cell: (r: RunSummary) => <Link to={`/triggers/${r.triggerId}`}>{r.triggerId}</Link>,
          },
        ]
      : []),
    { key: 'requested', header: 'Requested', cell: (r) => <TimeAgo iso={r.requestedAt} /> },
    { key: 'duration', header: 'Duration', className: 'num', cell: (r) => duration(r.durationMs) },
    {
      key: 'priority',
      header: 'Priority',
      className: 'num',
      secondary: true,
      cell: (r) => <PriorityValue priority={r.priority} />,
    },
    {
      key: 'attempts',
      header: 'Attempts',
      className: 'num',
      secondary: true,
      cell: (r) => String(r.attempts),
    },
    {
      key: 'error',
      header: 'Error',
      secondary: true,
      cell: (r) =>
        r.error ? (
          <span className="small text-bad truncate" title={r.error.message}>
            {r.error.message}
          </span>
        ) : null,
    },
  ];

  return (
    <div className="runs-table">
      <LiveBar
        what="runs"
        live={live}
        onLive={setLive}
        following={streaming}
        state={streamState}
        why={
          timeBound
            ? 'Live shows new runs only without a time range.'
            : 'Live follows the first page.'
        }
        onRefresh={reload}
      />
      {overflow && (
        <Banner
          tone="warn"
          title="More runs changed than the live view shows"
          action={
            <Button
              small
              onClick={() => {
                setOverflow(false);
                reload();
              }}
            >
              Reload
            </Button>
          }
        />
      )}
      {list.error && <ErrorBanner error={list.error} title="The runs could not be loaded" />}
      <DataTable
        caption="Runs"
        columns={columns}
        rows={rows}
        loading={list.loading}
        rowKey={(r) => r.runId}
        rowClass={(r) => (fresh.has(r.runId) ? 'row-fresh' : undefined)}
        empty={
          <EmptyState icon="runs" title="No runs match">
            {streaming ? 'New runs appear here as they start.' : 'Change the filters to see more.'}
          </EmptyState>
        }
      />
      <CursorPager label="Runs" pages={pages} nextCursor={list.data?.nextCursor} />
    </div>
  );
}

/** A run id is `<trigger>.<hash>`; beside the trigger column the start of the hash tells runs apart. */
function shortRunId(run: RunSummary): string {
  const hash = run.runId.slice(run.triggerId.length + 1);
  return hash.length > 14 ? `${hash.slice(0, 12)}…` : hash;
}
