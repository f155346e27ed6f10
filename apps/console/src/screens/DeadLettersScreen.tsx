import type {
  DeadLetterPage,
  DeadLetterPurgeResult,
  DeadLetterResendResult,
  DeadLetterSummary,
} from '@flint/contracts';
import { useState } from 'react';
import { useCursorPages, useLoad } from '../app/hooks';
import { Link, useRouter, withSearch } from '../app/router';
import { isAdmin, useSession } from '../app/session';
import { Tag } from '../components/badges';
import { Button } from '../components/buttons';
import { ActionDialog } from '../components/dialog';
import { Banner, ErrorBanner } from '../components/feedback';
import { EmptyState, PageHeader } from '../components/layout';
import { type Column, DataTable, CursorPager } from '../components/table';
import { TimeAgo } from '../components/time';
import { DEAD_LETTER_REASONS, resendSummary } from '../logic/dead-letters';
import { TextFilter, TimeRangeFilters } from './filters';

const PAGE_SIZE = 50;

/** Admins only: messages Flint could not use, with why; re-send them or purge them, one or many. */
export function DeadLettersScreen() {
  const { client, principal } = useSession();
  const { location, navigate } = useRouter();
  const get = (name: string) => location.search.get(name) ?? undefined;
  const filter = {
    reason: get('reason'),
    sourceId: get('sourceId'),
    resent: get('resent'),
    since: get('since'),
    until: get('until'),
  };
  const filterKey = JSON.stringify(filter);
  const pages = useCursorPages(filterKey);
  const [bulk, setBulk] = useState<'resend' | 'purge'>();
  const [outcome, setOutcome] = useState<string>();
  const list = useLoad(
    (signal) =>
      isAdmin(principal)
        ? client.get<DeadLetterPage>(
            '/api/dead-letters',
            { ...filter, limit: PAGE_SIZE, cursor: pages.cursor },
            signal,
          )
        : Promise.resolve(undefined),
    [client, filterKey, pages.cursor],
  );
  if (!isAdmin(principal)) {
    return (
      <EmptyState icon="alert" title="Dead letters are for admins">
        They hold any owner’s messages. Ask an admin to look at them.
      </EmptyState>
    );
  }

  const columns: Array<Column<DeadLetterSummary>> = [
    {
      key: 'id',
      header: 'Id',
      cell: (d) => (
        <Link to={`/dead-letters/${d.id}`} className="mono" aria-label={`Dead letter ${d.id}`}>
          #{d.id}
        </Link>
      ),
    },
    { key: 'reason', header: 'Reason', cell: (d) => <Tag tone="bad">{d.reason}</Tag> },
    {
      key: 'error',
      header: 'What was wrong',
      cell: (d) => (
        <span className="small truncate" title={d.error}>
          {d.error ?? '—'}
        </span>
      ),
    },
    {
      key: 'from',
      header: 'From',
      secondary: true,
      cell: (d) => <span className="small">{d.sourceId ?? d.sourceTopic}</span>,
    },
    { key: 'failed', header: 'Failed', cell: (d) => <TimeAgo iso={d.failedAt} /> },
    {
      key: 'resent',
      header: 'Re-sent',
      secondary: true,
      cell: (d) =>
        d.resendCount > 0 ? (
          <span className="small">
            {d.resendCount}× · <TimeAgo iso={d.resentAt} />
          </span>
        ) : (
          <span className="small muted">{d.resendable ? 'never' : 'cannot be'}</span>
        ),
    },
  ];

  const selection = Object.fromEntries(
    Object.entries({
      ...filter,
      resent: filter.resent === undefined ? undefined : filter.resent === 'true',
    }).filter(([, value]) => value !== undefined),
  );
  const filtered = Object.values(filter).some(Boolean);
  return (
    <>
      <PageHeader
        title="Dead letters"
        subtitle="Messages Flint could not use, newest first, with why."
        actions={
          list.data && list.data.items.length > 0 ? (
            <>
              <Button icon="trash" variant="danger" onClick={() => setBulk('purge')}>
                {filtered ? 'Purge matching' : 'Purge all'}
              </Button>
              <Button icon="send" onClick={() => setBulk('resend')}>
                {filtered ? 'Re-send matching' : 'Re-send all'}
              </Button>
            </>
          ) : undefined
        }
      />
      <div className="toolbar" role="search" aria-label="Filter dead letters">
        <label className="filter">
          <span>Reason</span>
          <select
            value={filter.reason ?? ''}
            onChange={(e) => navigate(withSearch(location, { reason: e.target.value }))}
          >
            <option value="">Any reason</option>
            {DEAD_LETTER_REASONS.map((reason) => (
              <option key={reason} value={reason}>
                {reason}
              </option>
            ))}
          </select>
        </label>
        <TextFilter name="sourceId" label="Source" placeholder="any source id" />
        <label className="filter">
          <span>Re-sent</span>
          <select
            value={filter.resent ?? ''}
            onChange={(e) => navigate(withSearch(location, { resent: e.target.value }))}
          >
            <option value="">Re-sent or not</option>
            <option value="true">Re-sent before</option>
            <option value="false">Never re-sent</option>
          </select>
        </label>
        <TimeRangeFilters />
      </div>
      {outcome && (
        <Banner tone="ok" title="Done">
          <p>{outcome}</p>
        </Banner>
      )}
      {list.error && (
        <ErrorBanner error={list.error} title="The dead letters could not be loaded" />
      )}
      <DataTable
        caption="Dead letters"
        columns={columns}
        rows={list.data?.items}
        loading={list.loading}
        rowKey={(d) => d.id}
        empty={
          <EmptyState icon="check" title={filtered ? 'None match' : 'No dead letters'}>
            {filtered
              ? 'Change the filters to see more.'
              : 'Every message Flint received so far could be used.'}
          </EmptyState>
        }
      />
      <CursorPager label="Dead letters" pages={pages} nextCursor={list.data?.nextCursor} />
      <BulkDialog
        action={bulk}
        filtered={filtered}
        onClose={() => setBulk(undefined)}
        onConfirm={async () => {
          if (bulk === 'purge') {
            const result = await client.post<DeadLetterPurgeResult>(
              '/api/dead-letters/purge',
              selection,
            );
            setOutcome(`Purged ${result.purged}.`);
          } else {
            const result = await client.post<DeadLetterResendResult>(
              '/api/dead-letters/resend',
              selection,
            );
            setOutcome(resendSummary(result));
          }
          setBulk(undefined);
          list.reload();
        }}
      />
    </>
  );
}

function BulkDialog({
  action,
  filtered,
  onClose,
  onConfirm,
}: {
  action: 'resend' | 'purge' | undefined;
  filtered: boolean;
  onClose: () => void;
  onConfirm: () => Promise<void>;
}) {
  const which = filtered ? 'every dead letter matching the filters' : 'every dead letter';
  return (
    <ActionDialog
      open={action !== undefined}
      title={action === 'purge' ? 'Purge dead letters?' : 'Re-send dead letters?'}
      onClose={onClose}
      closeLabel="Keep them"
      failure="Nothing was done"
      action={
        action === 'purge'
          ? { label: 'Purge', icon: 'trash', variant: 'danger', run: onConfirm }
          : { label: 'Re-send', icon: 'send', run: onConfirm }
      }
    >
      {action === 'purge' ? (
        <p>
          Drops {which} from the index: its message is gone from the console and the API. This
          cannot be undone.
        </p>
      ) : (
        <p>
          Publishes {which} again where it came from (at most 1,000 at a time). A message that fails
          again comes back here.
        </p>
      )}
    </ActionDialog>
  );
}
