import type { EmitEventResponse } from '@flint/contracts';
import { useState } from 'react';
import { useSession } from '../app/session';
import { Button } from '../components/buttons';
import { Dialog } from '../components/dialog';
import { Banner, ErrorBanner } from '../components/feedback';
import { Field } from '../components/forms';
import { JsonField } from '../components/json-field';
import { parseJsonText } from '../logic/json-text';

/**
 * Publishes a custom event (`POST /api/events`) as the source's owner, so every trigger of that owner
 * listening to its type fires.
 */
export function SendEventDialog({
  open,
  owner,
  types,
  onClose,
  onSent,
}: {
  open: boolean;
  owner: string;
  types: string[];
  onClose: () => void;
  onSent: (eventId: string) => void;
}) {
  const { client } = useSession();
  const [type, setType] = useState(types[0] ?? '');
  const [data, setData] = useState('{\n  "hello": "world"\n}');
  const [error, setError] = useState<Error>();
  const [sent, setSent] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { value: parsed, error: dataError } = parseJsonText(data, true);
  const send = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await client.post<EmitEventResponse>('/api/events', {
        type,
        owner,
        ...(parsed === undefined ? {} : { data: parsed }),
      });
      setSent(answer.eventId);
      onSent(answer.eventId);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title="Send an event"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button
            variant="primary"
            icon="send"
            busy={busy}
            disabled={!type || Boolean(dataError)}
            onClick={() => void send()}
          >
            Send
          </Button>
        </>
      }
    >
      {sent && (
        <Banner tone="ok" title="Published">
          <p>
            Event <code>{sent}</code> is on its way to the triggers.
          </p>
        </Banner>
      )}
      {error && <ErrorBanner error={error} title="Not sent" />}
      <Field label="Type" hint="The CloudEvent type triggers listen to.">
        {(props) => (
          <input
            {...props}
            value={type}
            onChange={(e) => setType(e.target.value)}
            list="event-types"
          />
        )}
      </Field>
      <datalist id="event-types">
        {types.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <JsonField
        label="Data"
        error={dataError}
        hint="Any JSON value: event.data in conditions and mappings."
        value={data}
        onChange={setData}
      />
    </Dialog>
  );
}
