import type { CancelRunResponse, RerunResponse, RunDetail } from '@flint/contracts';
import { useState } from 'react';
import { seg } from '../api/client';
import { useRouter } from '../app/router';
import { useCanChange, useSession } from '../app/session';
import { Button } from '../components/buttons';
import { ActionDialog } from '../components/dialog';
import { JsonField, useJsonText } from '../components/json-field';
import { prettyJson } from '../logic/format';

const ACTIVE = new Set(['REQUESTED', 'STARTED']);

/**
 * Re-run (any run) and cancel (a queued or running one), for keys that may change the run's owner;
 * a viewer sees neither.
 */
export function RunActions({ run, onChanged }: { run: RunDetail; onChanged: () => void }) {
  const mayChange = useCanChange(run.owner);
  const [dialog, setDialog] = useState<'rerun' | 'cancel'>();
  if (!mayChange) return null;
  const cancellable = ACTIVE.has(run.status);
  return (
    <>
      {cancellable && (
        <Button
          variant="danger"
          icon="close"
          onClick={() => setDialog('cancel')}
          disabled={run.cancelRequestedAt !== undefined}
        >
          Cancel run
        </Button>
      )}
      <Button variant="primary" icon="refresh" onClick={() => setDialog('rerun')}>
        Re-run
      </Button>
      <RerunDialog run={run} open={dialog === 'rerun'} onClose={() => setDialog(undefined)} />
      <CancelDialog
        run={run}
        open={dialog === 'cancel'}
        onClose={() => setDialog(undefined)}
        onCancelled={() => {
          setDialog(undefined);
          onChanged();
        }}
      />
    </>
  );
}

/** Starts the run again as a new run, with its input or an edited one, and opens the new run. */
function RerunDialog({
  run,
  open,
  onClose,
}: {
  run: RunDetail;
  open: boolean;
  onClose: () => void;
}) {
  const { client } = useSession();
  const { navigate } = useRouter();
  const original = prettyJson(run.input) || 'null';
  const input = useJsonText(original);
  const start = async () => {
    const answer = await client.post<RerunResponse>(
      `/api/runs/${seg(run.runId)}/rerun`,
      input.text === original ? {} : { input: input.value },
    );
    onClose();
    navigate(`/runs/${encodeURIComponent(answer.runId)}`);
  };
  return (
    <ActionDialog
      open={open}
      title="Re-run this run"
      onClose={onClose}
      wide
      failure="Nothing was started"
      action={{
        label: 'Start the re-run',
        icon: 'refresh',
        disabled: Boolean(input.error),
        run: start,
      }}
    >
      <p>
        A new run of <strong>{run.triggerId}</strong> with the same target, retry and concurrency
        settings. It keeps a link to this one.
      </p>
      <JsonField
        label="Input"
        json={input}
        hint="The workflow's input: this run's, or change it for the new run."
        rows={10}
      />
    </ActionDialog>
  );
}

function CancelDialog({
  run,
  open,
  onClose,
  onCancelled,
}: {
  run: RunDetail;
  open: boolean;
  onClose: () => void;
  onCancelled: () => void;
}) {
  const { client } = useSession();
  const cancel = async () => {
    await client.post<CancelRunResponse>(`/api/runs/${seg(run.runId)}/cancel`);
    onCancelled();
  };
  return (
    <ActionDialog
      open={open}
      title="Cancel this run?"
      onClose={onClose}
      closeLabel="Keep it"
      failure="The run was not cancelled"
      action={{ label: 'Cancel the run', icon: 'close', variant: 'danger', run: cancel }}
    >
      <p>
        {run.status === 'REQUESTED' || run.nextAttemptAt
          ? 'It will not start again.'
          : 'A running local workflow is told to stop; its outcome no longer counts.'}{' '}
        The run ends <strong>Cancelled</strong> within a second or so.
      </p>
    </ActionDialog>
  );
}
