import type { StoredDefinition } from '@flint/contracts';
import { useState } from 'react';
import { ApiError, seg } from '../api/client';
import { useCanChange, useSession } from '../app/session';
import { EnabledBadge } from '../components/badges';
import { Switch } from '../components/forms';

/**
 * Enable or disable a source or trigger, sending the version on screen as If-Match: when someone
 * changed it meanwhile, nothing is changed and the person is told. A key that may not change it sees
 * the state only.
 */
export function EnabledSwitch({
  definition,
  onChanged,
  onError,
}: {
  definition: StoredDefinition;
  onChanged: (updated: StoredDefinition) => void;
  onError: (error: Error) => void;
}) {
  const { client } = useSession();
  const mayChange = useCanChange(definition.owner);
  const [busy, setBusy] = useState(false);
  if (!mayChange) return <EnabledBadge enabled={definition.enabled} />;
  const toggle = async (enabled: boolean) => {
    setBusy(true);
    try {
      const updated = await client.post<StoredDefinition>(
        `/api/${definition.kind}s/${seg(definition.id)}/${enabled ? 'enable' : 'disable'}`,
        undefined,
        { ifMatch: definition.version },
      );
      onChanged(updated);
    } catch (err) {
      onError(
        err instanceof ApiError && err.code === 'version_conflict'
          ? new Error(
              `${definition.kind} ${definition.id} was changed by someone else meanwhile; it was reloaded, try again`,
            )
          : (err as Error),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Switch
      checked={definition.enabled}
      disabled={busy}
      label={`${definition.enabled ? 'Disable' : 'Enable'} ${definition.kind} ${definition.id}`}
      onChange={(checked) => void toggle(checked)}
    />
  );
}
