import { useState } from 'react';
import { useInterval } from '../app/hooks';
import { dateTime, timeAgo } from '../logic/format';

/** "3 min ago", kept current, with the exact time on hover and for assistive technology. */
export function TimeAgo({ iso }: { iso: string | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useInterval(() => setNow(Date.now()), 15_000);
  if (iso === undefined) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {timeAgo(iso, now)}
    </time>
  );
}
