import type { ReplayRequest, ReplayResult } from '@flint/contracts';
import { useState } from 'react';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { ActionDialog } from '../components/dialog';
import { Banner } from '../components/feedback';
import { Field } from '../components/forms';

/**
 * Publishes archived events again (`POST /api/events/replay`), each with a fresh id, to every
 * trigger or one; triggers an event fired already are not offered it unless asked to run again.
 */
export function ReplayDialog({
  what,
  selection,
  triggers,
  open,
  onClose,
}: {
  /** What is replayed, in words: "this event", "the events listed". */
  what: string;
  selection: (options: { trigger?: string; rerun: boolean }) => ReplayRequest;
  /** The triggers a person may offer the events to alone. */
  triggers: string[];
  open: boolean;
  onClose: () => void;
}) {
  const { client } = useSession();
  const [trigger, setTrigger] = useState('');
  const [rerun, setRerun] = useState(false);
  const [result, setResult] = useState<ReplayResult>();
  const replay = async () => {
    setResult(
      await client.post<ReplayResult>(
        '/api/events/replay',
        selection({ trigger: trigger || undefined, rerun }),
      ),
    );
  };
  const replayed = result?.replayed.length === 1 ? result.replayed[0] : undefined;
  return (
    <ActionDialog
      open={open}
      title={`Replay ${what}`}
      onClose={onClose}
      failure="Nothing was replayed"
      action={result ? undefined : { label: 'Replay', icon: 'refresh', run: replay }}
    >
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
      {result && result.replayed.length > 1 && (
        <Banner tone="ok" title={`Replayed ${result.replayed.length} events`}>
          {result.skipped > 0 && (
            <p>
              {result.skipped} more were not: every trigger they would be offered fired for them
              already.
            </p>
          )}
          {result.more && <p>More matched than one replay takes: replay again for the rest.</p>}
        </Banner>
      )}
      {result && result.replayed.length === 0 && (
        <Banner tone="info" title="Nothing to replay">
          <p>Every trigger they would be offered fired for them already. Let them fire again.</p>
        </Banner>
      )}
      {!result && (
        <>
          <p>
            Each event is published again with a fresh id, as if it arrived now, marked as a replay
            of its original.
          </p>
          {triggers.length > 0 && (
            <Field label="Offer it to" hint="Every trigger listening to it, or one.">
              {(props) => (
                <select {...props} value={trigger} onChange={(e) => setTrigger(e.target.value)}>
                  <option value="">Every trigger</option>
                  {triggers.map((id) => (
                    <option key={id} value={id}>
                      {id}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <label className="checkbox">
            <input type="checkbox" checked={rerun} onChange={(e) => setRerun(e.target.checked)} />
            Let triggers it fired fire again, as new runs
          </label>
        </>
      )}
    </ActionDialog>
  );
}
