import type { ArchivedEventPage, ArchivedEventSummary } from '@flint/contracts';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/client';
import { followEvents, type StreamState } from '../api/streams';
import { useCursorPages, useLoad } from '../app/hooks';
import { Link, useRouter, withSearch } from '../app/router';
import { canChange, isAdmin, useSession } from '../app/session';
import { Button } from '../components/buttons';
import { ErrorBanner } from '../components/feedback';
import { EmptyState, PageHeader } from '../components/layout';
import { LiveBar } from '../components/live-bar';
import { type Column, DataTable, CursorPager } from '../components/table';
import { TimeAgo } from '../components/time';
import { withStreamed } from '../logic/live-list';
import { OwnerFilter, TextFilter, TimeRangeFilters } from './filters';
import { ReplayDialog } from './ReplayDialog';

const PAGE_SIZE = 50;
/** The live view keeps the newest this many; older ones are a reload away. */
const MAX_STREAMED = 200;

/** The event archive: every event the evaluator read, newest first, with the triggers it fired. */
export function EventsScreen() {
  const { principal, client } = useSession();
  const { location, navigate } = useRouter();
  const get = (name: string) => location.search.get(name) ?? undefined;
  const filter = {
    source: get('source'),
    type: get('type'),
    fired: get('fired'),
    filter: get('filter'),
    owner: get('owner'),
    since: get('since'),
    until: get('until'),
  };
  const filterKey = JSON.stringify(filter);
  const pages = useCursorPages(filterKey);
  const [live, setLive] = useState(true);
  const [replaying, setReplaying] = useState(false);
  // A replay selects by time range (both ends) and the archive's filters, not by `fired`.
  const mayReplay =
    canChange(principal, filter.owner ?? principal.owner) &&
    Boolean(filter.since && filter.until) &&
    filter.fired === undefined;
  const [streamState, setStreamState] = useState<StreamState>('connecting');
  /** Events the stream brought since the list was loaded, newest first, for these filters. */
  const [streamedFor, setStreamedFor] = useState<{ key: string; items: ArchivedEventSummary[] }>({
    key: filterKey,
    items: [],
  });
  const list = useLoad(
    (signal) =>
      client.get<ArchivedEventPage>(
        '/api/events',
        { ...filter, limit: PAGE_SIZE, cursor: pages.cursor },
        signal,
      ),
    [client, filterKey, pages.cursor],
  );
  const reload = () => {
    setStreamedFor({ key: filterKey, items: [] });
    list.reload();
  };
  // New events arrive on the first page only, only when the range is open-ended, and only for a
  // filter the API took.
  const following = live && pages.page === 1 && !filter.until && !list.error;
  useEffect(() => {
    if (!following) return;
    const controller = new AbortController();
    const { source, type, owner, filter: cel } = filter;
    const fired = filter.fired === undefined ? undefined : filter.fired === 'true';
    void followEvents(
      client,
      { source, type, owner, filter: cel },
      {
        onItem: (event) => {
          if (fired !== undefined && fired !== event.fired.length > 0) return;
          setStreamedFor((current) => ({
            key: filterKey,
            items: [
              event,
              ...(current.key === filterKey ? current.items : []).filter((e) => e.id !== event.id),
            ].slice(0, MAX_STREAMED),
          }));
        },
        onOverflow: reload,
        onState: setStreamState,
      },
      controller.signal,
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- filterKey stands for filter
  }, [client, following, filterKey]);
  const rows = useMemo(() => {
    if (!list.data) return undefined;
    if (!following || streamedFor.key !== filterKey) return list.data.items;
    return withStreamed(list.data.items, streamedFor.items, (e) => e.id);
  }, [following, list.data, streamedFor, filterKey]);

  const columns: Array<Column<ArchivedEventSummary>> = [
    {
      key: 'event',
      header: 'Event',
      cell: (e) => (
        <Link to={`/events/${encodeURIComponent(e.id)}`} className="mono event-link" title={e.id}>
          {e.id}
        </Link>
      ),
    },
    {
      key: 'type',
      header: 'Type',
      cell: (e) => (
        <span className="truncate" title={e.type}>
          {e.type}
        </span>
      ),
    },
    {
      key: 'source',
      header: 'Source',
      className: 'nowrap',
      secondary: true,
      cell: (e) => <Link to={`/sources/${encodeURIComponent(e.sourceId)}`}>{e.sourceId}</Link>,
    },
    {
      key: 'fired',
      header: 'Fired',
      cell: (e) =>
        e.fired.length > 0 ? (
          <span className="chips">
            {e.fired.map((trigger) => (
              <Link key={trigger} to={`/triggers/${trigger}`} className="tag tag-ok">
                {trigger}
              </Link>
            ))}
          </span>
        ) : (
          <span className="small muted">
            {e.considered === 0 ? 'no trigger listens' : `none of ${e.considered}`}
          </span>
        ),
    },
    {
      key: 'owner',
      header: 'Owner',
      secondary: true,
      cell: (e) => e.owner ?? <span className="muted">—</span>,
    },
    { key: 'accepted', header: 'Accepted', cell: (e) => <TimeAgo iso={e.acceptedAt} /> },
  ];

  const filterError = list.error instanceof ApiError && list.error.status === 400;
  return (
    <>
      <PageHeader
        title="Events"
        subtitle="Every event the evaluator read, newest first, with the triggers it fired."
        actions={
          mayReplay ? (
            <Button icon="refresh" onClick={() => setReplaying(true)}>
              Replay these
            </Button>
          ) : undefined
        }
      />
      <ReplayDialog
        key={filterKey}
        what="the events of these filters"
        selection={(options) => ({
          since: filter.since!,
          until: filter.until!,
          ...(filter.source ? { source: filter.source } : {}),
          ...(filter.type ? { type: filter.type } : {}),
          ...(filter.owner ? { owner: filter.owner } : {}),
          ...(filter.filter ? { filter: filter.filter } : {}),
          ...(options.trigger ? { trigger: options.trigger } : {}),
          ...(options.rerun ? { rerun: true } : {}),
        })}
        triggers={[]}
        open={replaying}
        onClose={() => {
          setReplaying(false);
          reload();
        }}
      />
      <div className="toolbar" role="search" aria-label="Filter events">
        <TextFilter name="source" label="Source" placeholder="any source id" />
        <TextFilter name="type" label="Type" placeholder="any event type" />
        <label className="filter">
          <span>Fired</span>
          <select
            value={filter.fired ?? ''}
            onChange={(e) => navigate(withSearch(location, { fired: e.target.value }))}
          >
            <option value="">Fired or not</option>
            <option value="true">Fired a trigger</option>
            <option value="false">Fired none</option>
          </select>
        </label>
        <TimeRangeFilters />
        {isAdmin(principal) && <OwnerFilter />}
        <CelFilter key={filter.filter ?? ''} current={filter.filter ?? ''} />
      </div>
      <LiveBar
        what="events"
        live={live}
        onLive={setLive}
        following={following}
        state={streamState}
        why={
          list.error
            ? undefined
            : filter.until
              ? 'Live shows new events only without an end time.'
              : 'Live follows the first page.'
        }
        onRefresh={reload}
      />
      {list.error && (
        <ErrorBanner
          error={list.error}
          title={filterError ? 'The filter is not valid' : 'The events could not be loaded'}
        />
      )}
      {list.data?.scanned !== undefined && (
        <p className="small muted" data-testid="scanned">
          The filter read {list.data.scanned.toLocaleString('en-US')} events for this page
          {list.data.nextCursor ? '; Next reads on.' : '.'}
        </p>
      )}
      <DataTable
        caption="Events"
        columns={columns}
        rows={rows}
        loading={list.loading}
        rowKey={(e) => e.id}
        empty={
          <EmptyState icon="pulse" title="No events match">
            {Object.values(filter).some(Boolean)
              ? 'Change the filters to see more.'
              : 'Events appear here a moment after the evaluator reads them.'}
          </EmptyState>
        }
      />
      <CursorPager label="Events" pages={pages} nextCursor={list.data?.nextCursor} />
    </>
  );
}

/**
 * A CEL expression over `event`, applied when submitted: half-typed expressions do not compile,
 * so it is not applied while typing.
 */
function CelFilter({ current }: { current: string }) {
  const { location, navigate } = useRouter();
  const [value, setValue] = useState(current);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(withSearch(location, { filter: value.trim() }));
  };
  return (
    <form className="cel-filter" onSubmit={apply}>
      <label className="filter cel-filter-field">
        <span>CEL filter</span>
        <input
          type="search"
          className="mono"
          value={value}
          placeholder="event.data.total > 100"
          spellCheck={false}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <Button type="submit" small icon="search">
        Apply
      </Button>
      {current && (
        <Button
          small
          variant="ghost"
          onClick={() => navigate(withSearch(location, { filter: undefined }))}
        >
          Clear
        </Button>
      )}
    </form>
  );
}
