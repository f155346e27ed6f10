import type {
  DefinitionPage,
  StoredTrigger,
  TriggerActivityList,
  TriggerActivitySummary,
} from '@flint/contracts';
import { useState } from 'react';
import { useCursorPages, useLoad } from '../app/hooks';
import { Link, useRouter, withSearch } from '../app/router';
import { isAdmin, useCanChange, useSession } from '../app/session';
import { RunStatusBadge, Tag } from '../components/badges';
import { Button, LinkButton } from '../components/buttons';
import { ErrorBanner } from '../components/feedback';
import { EmptyState, PageHeader } from '../components/layout';
import { type Column, DataTable, CursorPager } from '../components/table';
import { TimeAgo } from '../components/time';
import { compact } from '../logic/format';
import { listensTo, targetLabel } from './describe';
import { EnabledSwitch } from './EnabledSwitch';
import { OwnerFilter, TextFilter } from './filters';

const PAGE_SIZE = 25;
type Row = StoredTrigger & { activity?: TriggerActivitySummary };

export function TriggersScreen() {
  const { client, principal } = useSession();
  const { location, navigate } = useRouter();
  const enabled = location.search.get('enabled') ?? '';
  const source = location.search.get('source') ?? '';
  const owner = location.search.get('owner') ?? '';
  const pages = useCursorPages(location.search.toString());
  const [actionError, setActionError] = useState<Error>();
  const mayCreate = useCanChange(principal.owner);

  const list = useLoad(
    async (signal) => {
      const page = await client.get<DefinitionPage>(
        '/api/triggers',
        { enabled, source, owner, limit: PAGE_SIZE, cursor: pages.cursor },
        signal,
      );
      const ids = page.items.map((t) => t.id);
      const activity =
        ids.length === 0
          ? { items: [] }
          : await client.get<TriggerActivityList>(
              '/api/activity/triggers',
              { ids: ids.join(',') },
              signal,
            );
      const byId = new Map(activity.items.map((a) => [a.triggerId, a]));
      return {
        rows: (page.items as StoredTrigger[]).map((t) => ({ ...t, activity: byId.get(t.id) })),
        nextCursor: page.nextCursor,
      };
    },
    [client, enabled, source, owner, pages.cursor],
  );

  const columns: Array<Column<Row>> = [
    {
      key: 'id',
      header: 'Trigger',
      cell: (t) => (
        <div>
          <Link to={`/triggers/${t.id}`} className="strong">
            {t.id}
          </Link>
          {isAdmin(principal) && <span className="owner-note"> · {t.owner}</span>}
          {t.description && (
            <p className="small muted truncate" title={t.description}>
              {t.description}
            </p>
          )}
        </div>
      ),
    },
    {
      key: 'listens',
      header: 'Listens to',
      cell: (t) => (
        <div className="chips">
          {listensTo(t).map((item) => (
            <Tag key={item.label}>{item.label}</Tag>
          ))}
        </div>
      ),
    },
    {
      key: 'target',
      header: 'Starts',
      secondary: true,
      cell: (t) => (
        <span className="small truncate-short" title={targetLabel(t)}>
          {targetLabel(t)}
        </span>
      ),
    },
    {
      key: 'runs',
      header: 'Runs (24 h)',
      className: 'num',
      cell: (t) =>
        t.activity ? (
          <span className="run-counts">
            <span title="started">{compact(t.activity.runs.started)}</span>
            {t.activity.runs.failed > 0 && (
              <span className="text-bad" title="failed">
                {' '}
                · {compact(t.activity.runs.failed)} failed
              </span>
            )}
          </span>
        ) : null,
    },
    {
      key: 'last',
      header: 'Last fired',
      cell: (t) =>
        t.activity?.lastRunAt ? (
          <span className="last-run">
            {t.activity.lastRunStatus && <RunStatusBadge status={t.activity.lastRunStatus} />}
            <TimeAgo iso={t.activity.lastRunAt} />
          </span>
        ) : (
          <span className="muted">never</span>
        ),
    },
    {
      key: 'enabled',
      header: 'Enabled',
      cell: (t) => (
        <EnabledSwitch
          definition={t}
          onChanged={() => list.reload()}
          onError={(err) => {
            setActionError(err);
            list.reload();
          }}
        />
      ),
    },
  ];

  const filtered = enabled !== '' || source !== '' || owner !== '';
  return (
    <>
      <PageHeader
        title="Triggers"
        subtitle="Which events start which workflow, with which input."
        actions={
          <>
            <Button icon="refresh" onClick={list.reload}>
              Refresh
            </Button>
            {mayCreate && (
              <LinkButton to="/builder" variant="primary" icon="plus">
                New trigger
              </LinkButton>
            )}
          </>
        }
      />
      <div className="toolbar" role="search" aria-label="Filter triggers">
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
        <TextFilter name="source" label="Source" placeholder="any source id" />
        {isAdmin(principal) && <OwnerFilter />}
      </div>
      {list.error && <ErrorBanner error={list.error} title="The triggers could not be loaded" />}
      {actionError && <ErrorBanner error={actionError} title="Nothing was changed" />}
      <DataTable
        caption="Triggers"
        columns={columns}
        rows={list.data?.rows}
        loading={list.loading}
        rowKey={(t) => t.id}
        empty={
          <EmptyState
            icon="triggers"
            title={filtered ? 'No trigger matches these filters' : 'No triggers yet'}
            action={
              !filtered && mayCreate ? (
                <LinkButton to="/builder" variant="primary" icon="plus">
                  Build a trigger
                </LinkButton>
              ) : undefined
            }
          >
            {filtered
              ? 'Clear a filter to see more.'
              : 'A trigger says which events start which workflow.'}
          </EmptyState>
        }
      />
      <CursorPager label="Triggers" pages={pages} nextCursor={list.data?.nextCursor} />
    </>
  );
}
