import { useEffect, useState } from 'react';
import { useDebounced } from '../app/hooks';
import { useRouter, withSearch } from '../app/router';
import { isoToLocal, localToIso } from '../logic/format';

/** A text filter bound to one query parameter, applied once typing pauses. */
export function TextFilter({
  name,
  label,
  placeholder,
}: {
  name: string;
  label: string;
  placeholder?: string;
}) {
  const { location, navigate } = useRouter();
  const current = location.search.get(name) ?? '';
  const [value, setValue] = useState(current);
  const debounced = useDebounced(value, 400);
  useEffect(() => {
    if (debounced.trim() !== current)
      navigate(withSearch(location, { [name]: debounced.trim() }), { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a settled value navigates
  }, [debounced]);
  return (
    <label className="filter">
      <span>{label}</span>
      <input
        type="search"
        value={value}
        placeholder={placeholder}
        onChange={(e) => setValue(e.target.value)}
      />
    </label>
  );
}

/** Admins see every owner; they may narrow a list to one. */
export function OwnerFilter() {
  return <TextFilter name="owner" label="Owner" placeholder="all owners" />;
}

/** From and Until, bound to the `since` and `until` query parameters. */
export function TimeRangeFilters() {
  const { location, navigate } = useRouter();
  return (
    <>
      {(['since', 'until'] as const).map((name) => (
        <label key={name} className="filter">
          <span>{name === 'since' ? 'From' : 'Until'}</span>
          <input
            type="datetime-local"
            value={isoToLocal(location.search.get(name))}
            onChange={(e) => navigate(withSearch(location, { [name]: localToIso(e.target.value) }))}
          />
        </label>
      ))}
    </>
  );
}
