import type { Store } from './store';

/** Shaped like service-kit's HealthCheck so services can register it as is. */
export interface StoreHealthCheck {
  readonly name: 'database';
  check(): Promise<void>;
}

/** A `SELECT 1` that must answer within `timeoutMs`; throws with the reason otherwise. */
export function storeHealthCheck(store: Store, timeoutMs = 2000): StoreHealthCheck {
  return {
    name: 'database',
    async check(): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${store.kind} did not answer SELECT 1 within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([store.ping(), timeout]);
      } catch (err) {
        const reason = err instanceof Error ? err.message || err.name : String(err);
        throw new Error(`${store.kind} is unreachable: ${reason}`, { cause: err });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
