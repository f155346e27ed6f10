/**
 * The life of a push connection (RabbitMQ, MQTT, WebSocket), whose failures arrive in callbacks:
 * `body` connects, subscribes, calls `session.connected()` and awaits `ended`, which rejects with the
 * first failure any callback reports through `fail` — or when the source is stopped, in which case
 * `holdConnection` resolves instead of rejecting. `close` runs however it ended (given 2 s at most).
 */
export async function holdConnection(
  signal: AbortSignal,
  body: (connection: { ended: Promise<never>; fail: (err: unknown) => void }) => Promise<void>,
  close: () => Promise<unknown>,
): Promise<void> {
  let reject!: (err: Error) => void;
  const ended = new Promise<never>((_, rejectEnded) => (reject = rejectEnded));
  ended.catch(() => undefined);
  const fail = (err: unknown) => reject(err instanceof Error ? err : new Error(String(err)));
  const stop = () => fail(new Error('the source was stopped'));
  signal.addEventListener('abort', stop, { once: true });
  try {
    await body({ ended, fail });
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', stop);
    await withinCleanUpTime(close());
  }
}

/**
 * Waits for a clean-up, but not forever: closing a connection whose peer is gone can wait for an
 * answer that never comes, and the source must still stop (or reconnect).
 */
export async function withinCleanUpTime(cleanUp: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    cleanUp.catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
  ]);
  clearTimeout(timer);
}
