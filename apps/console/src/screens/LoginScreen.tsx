import { type FormEvent, useState } from 'react';
import { Button } from '../components/buttons';
import { Banner } from '../components/feedback';
import { Field } from '../components/forms';
import { FlintMark } from '../components/icons';

/** Sign in with an API key; it stays in this browser tab's session only. */
export function LoginScreen({
  message,
  onSignIn,
}: {
  message?: string;
  onSignIn: (key: string) => Promise<void>;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSignIn(key.trim());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <div className="login-card">
        <div className="login-brand">
          <FlintMark size={40} />
          <div>
            <h1>Flint</h1>
            <p>Start workflows when something happens.</p>
          </div>
        </div>
        {message && (
          <Banner tone="warn" title="Please sign in">
            <p>{message}</p>
          </Banner>
        )}
        <form onSubmit={(e) => void submit(e)} className="login-form">
          <Field
            label="API key"
            error={error}
            hint={
              <>
                The local stack prints a sign-in link and keeps its admin key in{' '}
                <code>.flint/local/admin-api-key</code>. The key stays in this tab only.
              </>
            }
          >
            {(props) => (
              <input
                {...props}
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={key}
                onChange={(e) => setKey(e.target.value)}
                placeholder="flint_…"
                required
              />
            )}
          </Field>
          <Button type="submit" variant="primary" busy={busy} disabled={key.trim() === ''}>
            Sign in
          </Button>
        </form>
      </div>
    </main>
  );
}
