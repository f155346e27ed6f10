import type { StreamState } from '../api/streams';
import { Button } from './buttons';
import { Switch } from './forms';

/**
 * The bar over a live list (runs, events): the Live switch, whether the stream follows (or why it
 * does not), and Refresh.
 */
export function LiveBar({
  what,
  live,
  onLive,
  following,
  state,
  why,
  onRefresh,
}: {
  /** The list's items in words: "runs", "events". */
  what: string;
  live: boolean;
  onLive: (live: boolean) => void;
  following: boolean;
  state: StreamState;
  /** Why Live does not follow now, shown while it is on; nothing to hide the note. */
  why?: string;
  onRefresh: () => void;
}) {
  return (
    <div className="live-bar">
      <label className="switch-label">
        <Switch checked={live} onChange={onLive} label={`Show new ${what} live`} />
        <span>Live</span>
      </label>
      {following ? (
        <span className={`live-state live-${state}`} role="status">
          <span className="live-dot" aria-hidden="true" />
          {state === 'live'
            ? `Following new ${what}`
            : state === 'connecting'
              ? 'Connecting…'
              : 'Reconnecting…'}
        </span>
      ) : (
        live && why && <span className="small muted">{why}</span>
      )}
      <Button small icon="refresh" onClick={onRefresh}>
        Refresh
      </Button>
    </div>
  );
}
