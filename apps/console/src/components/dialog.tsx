import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Button } from './buttons';
import { ErrorBanner } from './feedback';
import { Icon, type IconName } from './icons';

/**
 * A modal on the native `<dialog>`: the browser traps focus inside, Escape closes it, and focus
 * returns to where it was.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  footer,
  wide,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog ${wide ? 'dialog-wide' : ''}`}
      aria-labelledby="dialog-title"
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <div className="dialog-header">
            <h2 id="dialog-title">{title}</h2>
            <button type="button" className="icon-btn" onClick={onClose} aria-label="Close">
              <Icon name="close" />
            </button>
          </div>
          <div className="dialog-body">{children}</div>
          {footer && <div className="dialog-footer">{footer}</div>}
        </>
      )}
    </dialog>
  );
}

/** The button of an `ActionDialog` that sends its request. */
export interface DialogAction {
  label: string;
  icon: IconName;
  variant?: 'primary' | 'danger';
  disabled?: boolean;
  /** Sends the request; what it throws is shown at the top of the dialog. */
  run: () => Promise<void>;
}

/**
 * A dialog around one request (re-run, send, backtest…): its footer has a way out and the button
 * that sends it, busy while the request runs; a failure is shown at the top under `failure`. With
 * no `action` (it is done) only the way out is left.
 */
export function ActionDialog({
  open,
  title,
  onClose,
  wide,
  action,
  failure,
  closeLabel = 'Close',
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  wide?: boolean;
  action?: DialogAction;
  failure: string;
  closeLabel?: string;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const send = async (run: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await run();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      wide={wide}
      footer={
        <>
          <Button onClick={onClose}>{closeLabel}</Button>
          {action && (
            <Button
              variant={action.variant ?? 'primary'}
              icon={action.icon}
              busy={busy}
              disabled={action.disabled}
              onClick={() => void send(action.run)}
            >
              {action.label}
            </Button>
          )}
        </>
      }
    >
      {error && <ErrorBanner error={error} title={failure} />}
      {children}
    </Dialog>
  );
}
