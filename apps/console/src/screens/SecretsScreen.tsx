import type { SecretList, SecretMetadata } from '@flint/contracts';
import { type FormEvent, useState } from 'react';
import { ApiError, seg } from '../api/client';
import { useLoad } from '../app/hooks';
import { canChange, isAdmin, useSession } from '../app/session';
import { Button } from '../components/buttons';
import { Dialog } from '../components/dialog';
import { Banner, ErrorBanner } from '../components/feedback';
import { Field } from '../components/forms';
import { EmptyState, PageHeader } from '../components/layout';
import { type Column, DataTable, pageOf, Pager } from '../components/table';
import { TimeAgo } from '../components/time';

const PAGE_SIZE = 25;

/** Secrets by name: set and delete them; their values are never shown, not even to admins. */
export function SecretsScreen() {
  const { client, principal } = useSession();
  const secrets = useLoad((signal) => client.get<SecretList>('/api/secrets', {}, signal), [client]);
  const [page, setPage] = useState(1);
  const [setting, setSetting] = useState<{ name?: string } | undefined>();
  const [deleting, setDeleting] = useState<SecretMetadata>();
  const mayCreate = canChange(principal, principal.owner);
  const disabled = secrets.error instanceof ApiError && secrets.error.code === 'secrets_disabled';
  const { rows, hasNext } = pageOf(secrets.data?.items ?? [], page, PAGE_SIZE);
  const columns: Array<Column<SecretMetadata>> = [
    { key: 'name', header: 'Name', cell: (s) => <span className="strong mono">{s.name}</span> },
    { key: 'owner', header: 'Owner', cell: (s) => s.owner },
    {
      key: 'version',
      header: 'Version',
      className: 'num',
      secondary: true,
      cell: (s) => String(s.version),
    },
    { key: 'key', header: 'Encrypted with', secondary: true, cell: (s) => <code>{s.keyId}</code> },
    { key: 'updated', header: 'Set', cell: (s) => <TimeAgo iso={s.updatedAt} /> },
    {
      key: 'actions',
      header: <span className="sr-only">Actions</span>,
      cell: (s) =>
        canChange(principal, s.owner) ? (
          <div className="row-actions">
            <Button
              small
              variant="ghost"
              icon="edit"
              onClick={() => setSetting({ name: s.name })}
              aria-label={`Replace the value of ${s.name}`}
            >
              Replace
            </Button>
            <Button
              small
              variant="ghost"
              icon="trash"
              onClick={() => setDeleting(s)}
              aria-label={`Delete secret ${s.name}`}
            >
              Delete
            </Button>
          </div>
        ) : null,
    },
  ];
  return (
    <>
      <PageHeader
        title="Secrets"
        subtitle="Webhook keys, tokens and credentials that definitions reference by name. Values are write-only."
        actions={
          mayCreate && !disabled ? (
            <Button variant="primary" icon="plus" onClick={() => setSetting({})}>
              Set a secret
            </Button>
          ) : undefined
        }
      />
      {disabled ? (
        <Banner tone="warn" title="Secrets are not enabled on this server">
          <p>
            Set <code>FLINT_SECRETS_KEYS</code> on the api, webhook, poller and runner to store
            secrets encrypted; until then they come from <code>FLINT_SECRET_&lt;NAME&gt;</code>{' '}
            variables.
          </p>
        </Banner>
      ) : (
        secrets.error && (
          <ErrorBanner error={secrets.error} title="The secrets could not be loaded" />
        )
      )}
      {!disabled && (
        <>
          <DataTable
            caption="Secrets"
            columns={columns}
            rows={secrets.data ? rows : undefined}
            loading={secrets.loading}
            rowKey={(s) => s.name}
            empty={
              <EmptyState icon="secrets" title="No secrets yet">
                Definitions name secrets with <code>secretRef</code>.
              </EmptyState>
            }
          />
          <Pager
            label="Secrets"
            page={page}
            hasNext={hasNext}
            onPrevious={() => setPage(page - 1)}
            onNext={() => setPage(page + 1)}
          />
        </>
      )}
      <SetSecretDialog
        open={setting !== undefined}
        name={setting?.name}
        admin={isAdmin(principal)}
        onClose={() => setSetting(undefined)}
        onSaved={secrets.reload}
      />
      <Dialog
        open={deleting !== undefined}
        title="Delete this secret?"
        onClose={() => setDeleting(undefined)}
        footer={
          <>
            <Button onClick={() => setDeleting(undefined)}>Keep it</Button>
            <Button
              variant="danger"
              icon="trash"
              onClick={() => {
                if (!deleting) return;
                void client.delete(`/api/secrets/${seg(deleting.name)}`).then(() => {
                  setDeleting(undefined);
                  secrets.reload();
                });
              }}
            >
              Delete
            </Button>
          </>
        }
      >
        <p>
          Sources and targets that reference <code>{deleting?.name}</code> stop authenticating
          within seconds.
        </p>
      </Dialog>
    </>
  );
}

function SetSecretDialog({
  open,
  name: fixedName,
  admin,
  onClose,
  onSaved,
}: {
  open: boolean;
  name?: string;
  admin: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { client } = useSession();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [owner, setOwner] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const close = () => {
    setName('');
    setValue('');
    setOwner('');
    setError(undefined);
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await client.put(`/api/secrets/${seg(fixedName ?? name)}`, {
        value,
        ...(owner ? { owner } : {}),
      });
      onSaved();
      close();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={fixedName ? `Replace ${fixedName}` : 'Set a secret'} onClose={close}>
      <form onSubmit={(e) => void submit(e)} className="stack-sm">
        {error && <ErrorBanner error={error} title="Not saved" />}
        {!fixedName && (
          <Field label="Name" hint="Letters, digits, “.”, “_” and “-”, like github-webhook.">
            {(props) => (
              <input {...props} value={name} onChange={(e) => setName(e.target.value)} required />
            )}
          </Field>
        )}
        <Field label="Value" hint="Stored encrypted; never shown again, not even here.">
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="new-password"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              required
            />
          )}
        </Field>
        {admin && !fixedName && (
          <Field label="Owner" optional hint="Whose definitions may use it; default: default.">
            {(props) => (
              <input {...props} value={owner} onChange={(e) => setOwner(e.target.value)} />
            )}
          </Field>
        )}
        <div className="button-row">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
