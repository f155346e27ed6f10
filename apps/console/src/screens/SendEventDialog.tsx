import type { EmitEventResponse } from '@flint/contracts';
import { useState } from 'react';
import { useSession } from '../app/session';
import { ActionDialog } from '../components/dialog';
import { Banner } from '../components/feedback';
import { Field } from '../components/forms';
import { JsonField, useJsonText } from '../components/json-field';

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
  const data = useJsonText('{\n  "hello": "world"\n}', true);
  const [sent, setSent] = useState<string>();
  const send = async () => {
    const answer = await client.post<EmitEventResponse>('/api/events', {
      type,
      owner,
      ...(data.value === undefined ? {} : { data: data.value }),
    });
    setSent(answer.eventId);
    onSent(answer.eventId);
  };
  return (
    <ActionDialog
      open={open}
      title="Send an event"
      onClose={onClose}
      failure="Not sent"
      action={{ label: 'Send', icon: 'send', disabled: !type || Boolean(data.error), run: send }}
    >
      {sent && (
        <Banner tone="ok" title="Published">
          <p>
            Event <code>{sent}</code> is on its way to the triggers.
          </p>
        </Banner>
      )}
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
        json={data}
        hint="Any JSON value: event.data in conditions and mappings."
      />
    </ActionDialog>
  );
}
