import type { ApiKeyInfo, ApiKeyList, ApiRole, CreatedApiKey } from '@flint/contracts';
import { type FormEvent, useState } from 'react';
import { seg } from '../api/client';
import { useLoad } from '../app/hooks';
import { isAdmin, useSession } from '../app/session';
import { Tag } from '../components/badges';
import { Button } from '../components/buttons';
import { CodeBlock } from '../components/code';
import { Dialog } from '../components/dialog';
import { Banner, ErrorBanner } from '../components/feedback';
import { Field } from '../components/forms';
import { EmptyState, PageHeader } from '../components/layout';
import { type Column, DataTable, pageOf, Pager } from '../components/table';
import { TimeAgo } from '../components/time';

const PAGE_SIZE = 25;
const ROLES: Array<{ role: ApiRole; what: string }> = [
  { role: 'viewer', what: 'reads one owner’s sources, triggers, runs and secret names' },
  { role: 'editor', what: 'also changes them and sets secrets' },
  { role: 'admin', what: 'everything, for every owner, and manages keys' },
];

/** Admins only: API keys with their roles and owners; a key is shown once, when it is created. */
export function KeysScreen() {
  const { client, principal } = useSession();
  const keys = useLoad((signal) => client.get<ApiKeyList>('/api/keys', {}, signal), [client]);
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyInfo>();
  if (!isAdmin(principal)) {
    return (
      <EmptyState icon="keys" title="API keys are managed by admins">
        Ask an admin for a key with another role.
      </EmptyState>
    );
  }
  const { rows, hasNext } = pageOf(keys.data?.items ?? [], page, PAGE_SIZE);
  const columns: Array<Column<ApiKeyInfo>> = [
    {
      key: 'name',
      header: 'Key',
      cell: (k) => (
        <div>
          <span className="strong">{k.name}</span>
          <p className="small muted mono">{k.id}</p>
        </div>
      ),
    },
    {
      key: 'role',
      header: 'Role',
      cell: (k) => <Tag tone={k.role === 'admin' ? 'warn' : 'neutral'}>{k.role}</Tag>,
    },
    {
      key: 'owner',
      header: 'Owner',
      cell: (k) => k.owner ?? <span className="muted">all owners</span>,
    },
    {
      key: 'created',
      header: 'Created',
      secondary: true,
      cell: (k) => <TimeAgo iso={k.createdAt} />,
    },
    { key: 'used', header: 'Last used', cell: (k) => <TimeAgo iso={k.lastUsedAt} /> },
    {
      key: 'state',
      header: 'State',
      cell: (k) =>
        k.revokedAt ? (
          <span className="badge badge-muted">
            <span className="badge-dot" aria-hidden="true" />
            Revoked <TimeAgo iso={k.revokedAt} />
          </span>
        ) : (
          <Button
            small
            variant="ghost"
            icon="trash"
            onClick={() => setRevoking(k)}
            aria-label={`Revoke key ${k.name}`}
          >
            Revoke
          </Button>
        ),
    },
  ];
  return (
    <>
      <PageHeader
        title="API keys"
        subtitle="Who may use the API and the console, with which role, for which owner."
        actions={
          <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
            Create key
          </Button>
        }
      />
      {keys.error && <ErrorBanner error={keys.error} title="The keys could not be loaded" />}
      <DataTable
        caption="API keys"
        columns={columns}
        rows={keys.data ? rows : undefined}
        loading={keys.loading}
        rowKey={(k) => k.id}
        rowClass={(k) => (k.revokedAt ? 'row-muted' : undefined)}
        empty={
          <EmptyState icon="keys" title="No keys yet">
            The bootstrap key (FLINT_ADMIN_API_KEY) is not listed.
          </EmptyState>
        }
      />
      <Pager
        label="API keys"
        page={page}
        hasNext={hasNext}
        onPrevious={() => setPage(page - 1)}
        onNext={() => setPage(page + 1)}
      />
      <CreateKeyDialog open={creating} onClose={() => setCreating(false)} onCreated={keys.reload} />
      <Dialog
        open={revoking !== undefined}
        title="Revoke this key?"
        onClose={() => setRevoking(undefined)}
        footer={
          <>
            <Button onClick={() => setRevoking(undefined)}>Keep it</Button>
            <Button
              variant="danger"
              icon="trash"
              onClick={() => {
                if (!revoking) return;
                void client.delete(`/api/keys/${seg(revoking.id)}`).then(() => {
                  setRevoking(undefined);
                  keys.reload();
                });
              }}
            >
              Revoke
            </Button>
          </>
        }
      >
        <p>
          <strong>{revoking?.name}</strong> ({revoking?.role}
          {revoking?.owner ? ` of ${revoking.owner}` : ''}) stops working with its next request.
          This cannot be undone.
        </p>
      </Dialog>
    </>
  );
}

function CreateKeyDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { client } = useSession();
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiRole>('viewer');
  const [owner, setOwner] = useState('');
  const [created, setCreated] = useState<CreatedApiKey>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const close = () => {
    setCreated(undefined);
    setName('');
    setOwner('');
    setError(undefined);
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setCreated(
        await client.post<CreatedApiKey>('/api/keys', {
          name,
          role,
          ...(role === 'admin' ? {} : { owner }),
        }),
      );
      onCreated();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={created ? 'Key created' : 'Create an API key'} onClose={close}>
      {created ? (
        <div className="stack-sm">
          <Banner tone="warn" title="Copy the key now">
            <p>It is shown this once: Flint keeps only its hash.</p>
          </Banner>
          <CodeBlock code={created.key} label="new API key" />
          <div className="button-row">
            <Button variant="primary" onClick={close}>
              Done
            </Button>
          </div>
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="stack-sm">
          {error && <ErrorBanner error={error} title="Not created" />}
          <Field label="Name" hint="After the team or the script that uses it.">
            {(props) => (
              <input {...props} value={name} onChange={(e) => setName(e.target.value)} required />
            )}
          </Field>
          <fieldset className="fieldset">
            <legend>Role</legend>
            {ROLES.map(({ role: r, what }) => (
              <label key={r} className="radio-card">
                <input
                  type="radio"
                  name="role"
                  value={r}
                  checked={role === r}
                  onChange={() => setRole(r)}
                />
                <span>
                  <strong>{r}</strong> <span className="muted small">{what}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {role !== 'admin' && (
            <Field label="Owner" hint="The team whose things the key may see and change.">
              {(props) => (
                <input
                  {...props}
                  value={owner}
                  onChange={(e) => setOwner(e.target.value)}
                  required
                  placeholder="payments"
                />
              )}
            </Field>
          )}
          <div className="button-row">
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" busy={busy}>
              Create key
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
