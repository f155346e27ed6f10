import type { ArchivedEventDetail, ReplayResult } from '@flint/contracts';
import { useState } from 'react';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { Button } from '../components/buttons';
import { Dialog } from '../components/dialog';
import { Banner, ErrorBanner } from '../components/feedback';
import { Field } from '../components/forms';
import { replayOne } from '../logic/decisions';

/**
 * Publishes an archived event again (`POST /api/events/replay`), with a fresh id, to every trigger
 * or one; triggers it fired already are not offered it unless asked to run again.
 */
export function ReplayDialog({
  event,
  open,
  onClose,
}: {
  event: ArchivedEventDetail;
  open: boolean;
  onClose: () => void;
}) {
  const { client } = useSession();
  const [trigger, setTrigger] = useState('');
  const [rerun, setRerun] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [result, setResult] = useState<ReplayResult>();
  const replay = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await client.post<ReplayResult>(
          '/api/events/replay',
          replayOne(event, { trigger: trigger || undefined, rerun }),
        ),
      );
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const replayed = result?.replayed[0];
  return (
    <Dialog
      open={open}
      title="Replay this event"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          {!result && (
            <Button variant="primary" icon="refresh" busy={busy} onClick={() => void replay()}>
              Replay
            </Button>
          )}
        </>
      }
    >
      {error && <ErrorBanner error={error} title="Nothing was replayed" />}
      {replayed && (
        <Banner tone="ok" title="Replayed">
          <p>
            The replay is event{' '}
            <Link to={`/events/${encodeURIComponent(replayed.eventId)}`} onClick={onClose}>
              {replayed.eventId}
            </Link>
            ; it is listed once the evaluator has read it.
          </p>
        </Banner>
      )}
      {result && !replayed && (
        <Banner tone="info" title="Nothing to replay">
          <p>
            Every trigger it would be offered fired for it already. Allow running again to replay.
          </p>
        </Banner>
      )}
      {!result && (
        <>
          <p>
            The event is published again with a fresh id, as if it arrived now, marked as a replay
            of <code>{event.id}</code>.
          </p>
          <Field label="Offer it to" hint="Every trigger listening to it, or one.">
            {(props) => (
              <select {...props} value={trigger} onChange={(e) => setTrigger(e.target.value)}>
                <option value="">Every trigger</option>
                {event.decisions.map((d) => (
                  <option key={d.triggerId} value={d.triggerId}>
                    {d.triggerId}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <label className="checkbox">
            <input type="checkbox" checked={rerun} onChange={(e) => setRerun(e.target.checked)} />
            Let triggers it fired fire again, as new runs
          </label>
        </>
      )}
    </Dialog>
  );
}
