import { useRouter, withSearch } from '../app/router';
import { isAdmin, useSession } from '../app/session';
import { PageHeader } from '../components/layout';
import { OwnerFilter, TextFilter, TimeRangeFilters } from './filters';
import { RunsTable } from './RunsTable';

const STATUSES = ['REQUESTED', 'STARTED', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'];

export function RunsScreen() {
  const { principal } = useSession();
  const { location, navigate } = useRouter();
  const get = (name: string) => location.search.get(name) ?? undefined;
  const filter = {
    status: get('status'),
    trigger: get('trigger'),
    owner: get('owner'),
    since: get('since'),
    until: get('until'),
  };
  return (
    <>
      <PageHeader title="Runs" subtitle="Every workflow Flint started, newest first." />
      <div className="toolbar" role="search" aria-label="Filter runs">
        <label className="filter">
          <span>Status</span>
          <select
            value={filter.status ?? ''}
            onChange={(e) => navigate(withSearch(location, { status: e.target.value }))}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.charAt(0) + s.slice(1).toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <TextFilter name="trigger" label="Trigger" placeholder="any trigger id" />
        <TimeRangeFilters />
        {isAdmin(principal) && <OwnerFilter />}
      </div>
      <RunsTable key={JSON.stringify(filter)} filter={filter} />
    </>
  );
}
