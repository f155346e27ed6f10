import type { CancelRunResponse, RerunResponse, RunDetail } from '@flint/contracts';
import { useState } from 'react';
import { seg } from '../api/client';
import { useRouter } from '../app/router';
import { useCanChange, useSession } from '../app/session';
import { Button } from '../components/buttons';
import { Dialog } from '../components/dialog';
import { ErrorBanner } from '../components/feedback';
import { JsonField } from '../components/json-field';
import { prettyJson } from '../logic/format';
import { parseJsonText } from '../logic/json-text';

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
  const [input, setInput] = useState(original);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const { value: parsed, error: inputError } = parseJsonText(input);
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await client.post<RerunResponse>(
        `/api/runs/${seg(run.runId)}/rerun`,
        input === original ? {} : { input: parsed },
      );
      onClose();
      navigate(`/runs/${encodeURIComponent(answer.runId)}`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title="Re-run this run"
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button
            variant="primary"
            icon="refresh"
            busy={busy}
            disabled={Boolean(inputError)}
            onClick={() => void start()}
          >
            Start the re-run
          </Button>
        </>
      }
    >
      {error && <ErrorBanner error={error} title="Nothing was started" />}
      <p>
        A new run of <strong>{run.triggerId}</strong> with the same target, retry and concurrency
        settings. It keeps a link to this one.
      </p>
      <JsonField
        label="Input"
        error={inputError}
        hint="The workflow's input: this run's, or change it for the new run."
        rows={10}
        value={input}
        onChange={setInput}
      />
    </Dialog>
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
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const cancel = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await client.post<CancelRunResponse>(`/api/runs/${seg(run.runId)}/cancel`);
      onCancelled();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title="Cancel this run?"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Keep it</Button>
          <Button variant="danger" icon="close" busy={busy} onClick={() => void cancel()}>
            Cancel the run
          </Button>
        </>
      }
    >
      {error && <ErrorBanner error={error} title="The run was not cancelled" />}
      <p>
        {run.status === 'REQUESTED' || run.nextAttemptAt
          ? 'It will not start again.'
          : 'A running local workflow is told to stop; its outcome no longer counts.'}{' '}
        The run ends <strong>Cancelled</strong> within a second or so.
      </p>
    </Dialog>
  );
}
