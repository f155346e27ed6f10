import { ProviderService } from '@flint/provider-sdk';
import { openServiceRuntime, type ServiceRuntime } from '@flint/service-kit';
import type { Queryable } from '@flint/store';
import { HostLimiter } from '../../../../apps/providers/poller/src/http/host-limiter';
import { FunctionSourceProvider } from '../../../../apps/providers/poller/src/function/function-source';
import { PollerProvider } from '../../../../apps/providers/poller/src/poller-provider';
import {
  type PollerState,
  type PollerStateStore,
  SqlPollerStateStore,
} from '../../../../apps/providers/poller/src/polling/poller-state';
import { quietLog } from '../../../support/kafka';
import type { ProviderFixture } from '../../../support/provider-fixture';

export async function savedState(
  runtime: ServiceRuntime,
  id: string,
): Promise<PollerState | undefined> {
  return new SqlPollerStateStore(runtime.store).load(id);
}

/**
 * Runs a poller replica whose first cursor save fails: it dies right after Kafka acknowledged its
 * first page, before saving. Once it has, `afterCrash` checks what got out; then it is shut down.
 */
export async function runReplicaThatCrashesBeforeSaving(
  fixture: ProviderFixture,
  env: NodeJS.ProcessEnv,
  afterCrash: () => Promise<unknown>,
): Promise<void> {
  const runtime = await openServiceRuntime('poller', { env: fixture.env(env) });
  let crashed!: () => void;
  const crash = new Promise<void>((resolve) => (crashed = resolve));
  const dying = new ProviderService(
    runtime,
    {
      poller: new PollerProvider({
        limiter: new HostLimiter(4),
        backoff: { initialMs: 600_000 },
        stateStore: (db) => new CrashingStateStore(db, crashed),
      }),
      function: new FunctionSourceProvider([]),
    },
    { log: quietLog },
  );
  dying.onApplicationBootstrap();
  try {
    await crash;
    await afterCrash();
  } finally {
    await dying.onApplicationShutdown();
    await runtime.close();
  }
}

/** Loads like the real store but fails its first save and reports it: the replica died there. */
class CrashingStateStore implements PollerStateStore {
  private readonly real: SqlPollerStateStore;

  constructor(
    db: Queryable,
    private readonly crashed: () => void,
  ) {
    this.real = new SqlPollerStateStore(db);
  }

  load(sourceId: string): Promise<PollerState | undefined> {
    return this.real.load(sourceId);
  }

  async save(): Promise<void> {
    this.crashed();
    throw new Error('replica died before saving the cursor');
  }
}
