import type { ConsoleSettings, PrincipalInfo } from '@flint/contracts';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient } from '../api/client';
import { forgetKey, redeemLoginToken, storedKey, storeKey, takeLoginToken } from '../api/session';
import { Loading } from '../components/feedback';
import { LoginScreen } from '../screens/LoginScreen';
import { Router } from './router';
import { Shell } from './Shell';
import { type Session, SessionProvider } from './session';

type State =
  | { kind: 'starting' }
  | { kind: 'signed-out'; message?: string }
  | { kind: 'signed-in'; key: string; principal: PrincipalInfo; settings: ConsoleSettings };

/**
 * Signs in (a login link's token, a key kept in this tab's session, or a key typed in), asks the
 * API who the key is, and shows the console for that role.
 */
export function App() {
  const [state, setState] = useState<State>({ kind: 'starting' });

  const signOut = useCallback((message?: string) => {
    forgetKey();
    setState({ kind: 'signed-out', ...(message ? { message } : {}) });
  }, []);

  const signIn = useCallback(async (key: string) => {
    const client = new ApiClient(key);
    const [principal, settings] = await Promise.all([
      client.get<PrincipalInfo>('/api/me'),
      client.get<ConsoleSettings>('/api/console/settings'),
    ]);
    storeKey(key);
    setState({ kind: 'signed-in', key, principal, settings });
  }, []);

  useEffect(() => {
    const token = takeLoginToken();
    const start = async () => {
      if (token) {
        try {
          await signIn(await redeemLoginToken(token));
          return;
        } catch (err) {
          setState({
            kind: 'signed-out',
            message: err instanceof Error ? err.message : String(err),
          });
          return;
        }
      }
      const key = storedKey();
      if (!key) {
        setState({ kind: 'signed-out' });
        return;
      }
      try {
        await signIn(key);
      } catch (err) {
        signOut(err instanceof Error ? err.message : String(err));
      }
    };
    void start();
  }, [signIn, signOut]);

  const session = useMemo<Session | undefined>(() => {
    if (state.kind !== 'signed-in') return undefined;
    return {
      client: new ApiClient(state.key, (message) => signOut(`Signed out: ${message}`)),
      principal: state.principal,
      settings: state.settings,
      signOut: () => signOut(),
    };
  }, [state, signOut]);

  if (state.kind === 'starting') {
    return (
      <div className="splash">
        <Loading label="Opening Flint" />
      </div>
    );
  }
  if (!session) {
    return (
      <LoginScreen
        message={state.kind === 'signed-out' ? state.message : undefined}
        onSignIn={signIn}
      />
    );
  }
  return (
    <SessionProvider session={session}>
      <Router>
        <Shell />
      </Router>
    </SessionProvider>
  );
}
