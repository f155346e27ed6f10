import type { ConsoleSettings, PrincipalInfo } from '@flint/contracts';
import { createContext, type ReactNode, useContext } from 'react';
import type { ApiClient } from '../api/client';

/** Who is signed in, with what, and what the server links to. */
export interface Session {
  client: ApiClient;
  principal: PrincipalInfo;
  settings: ConsoleSettings;
  signOut(): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

/**
 * Whether the key may change things of `owner`: the API's own rule (an editor changes its owner's
 * things, an admin everyone's). Controls the key may not use are not shown at all.
 */
export function canChange(principal: PrincipalInfo, owner: string | undefined): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role !== 'editor') return false;
  return owner === undefined || owner === principal.owner;
}

export function useCanChange(owner?: string): boolean {
  return canChange(useSession().principal, owner);
}

export function isAdmin(principal: PrincipalInfo): boolean {
  return principal.role === 'admin';
}
