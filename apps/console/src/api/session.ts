import type { ConsoleLoginResponse } from '@flint/contracts';
import { ApiError } from './client';

/** Per tab, gone when the tab closes: the key is never written where it outlives the session. */
const KEY_ITEM = 'flint.apiKey';
const LOGIN_FRAGMENT = /^#login=([A-Za-z0-9_-]+)$/;

export function storedKey(): string | undefined {
  return sessionStorage.getItem(KEY_ITEM) ?? undefined;
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_ITEM);
}

/**
 * The one-time token of a login link (`…/#login=<token>`), taken out of the address bar at once so
 * it stays in no bookmark and is not shown again; `undefined` when the page was not opened by one.
 */
export function takeLoginToken(): string | undefined {
  const match = LOGIN_FRAGMENT.exec(window.location.hash);
  if (!match) return undefined;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return match[1];
}

/** Trades a login token for the key it was issued for (`POST /api/console/login`). */
export async function redeemLoginToken(token: string): Promise<string> {
  const response = await fetch('/api/console/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const body = (await response.json()) as ConsoleLoginResponse & {
    error?: { code: string; message: string };
  };
  if (!response.ok) {
    throw new ApiError(
      response.status,
      body.error?.code ?? 'login_failed',
      body.error?.message ?? 'login failed',
    );
  }
  return body.key;
}
