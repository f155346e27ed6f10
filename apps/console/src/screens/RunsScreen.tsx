import { useRouter, withSearch } from '../app/router';
import { isAdmin, useSession } from '../app/session';
import { PageHeader } from '../components/layout';
import { OwnerFilter, TextFilter } from './filters';
import { RunsTable } from './RunsTable';

const STATUSES = ['REQUESTED', 'STARTED', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'];

/** `datetime-local` values are local time without a zone; the API takes ISO instants. */
function toIso(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function toLocal(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

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
        <label className="filter">
          <span>From</span>
          <input
            type="datetime-local"
            value={toLocal(filter.since ?? null)}
            onChange={(e) => navigate(withSearch(location, { since: toIso(e.target.value) }))}
          />
        </label>
        <label className="filter">
          <span>Until</span>
          <input
            type="datetime-local"
            value={toLocal(filter.until ?? null)}
            onChange={(e) => navigate(withSearch(location, { until: toIso(e.target.value) }))}
          />
        </label>
        {isAdmin(principal) && <OwnerFilter />}
      </div>
      <RunsTable key={JSON.stringify(filter)} filter={filter} />
    </>
  );
}
