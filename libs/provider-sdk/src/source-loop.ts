import {
  type Backoff,
  backoffDelay,
  type Clock,
  type Log,
  systemClock,
  withFields,
} from '@flint/common';
import type { RunnableKind, SourceConfigOf } from '@flint/contracts';
import type { Store } from '@flint/store';
import type { Counter } from 'prom-client';
import type { CoalescingSender } from './coalescing-sender';
import { runExclusive } from './exclusive';
import type { SourceMetrics } from './metrics';
import type { SourceContext, SourceOf, SourceProviderImpl } from './provider';
import { type SecretResolver, secretsOf } from './secrets';
import { createEmit } from './source-emitter';
import { type ConnectionState, SourceHealthNotes } from './source-health';

export type SourceState =
  'starting' | 'waiting-for-lease' | 'running' | 'invalid' | 'failed' | 'stopping';

export interface SourceStatus {
  id: string;
  version: number;
  state: SourceState;
  /** Why the source is invalid or failed, or its connection is down; never contains secret values. */
  error?: string;
  /** When its work last succeeded (`ctx.health`). */
  lastSuccessAt?: Date;
  /** Its latest failed attempt or run, kept after it recovers. */
  lastError?: string;
  lastErrorAt?: Date;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  /** Of a source that holds a connection upstream (`ctx.health`). */
  connection?: ConnectionState;
  lastEventAt?: Date;
  lag?: number;
}

export interface SourceLoopDeps<K extends RunnableKind, Config> {
  provider: SourceProviderImpl<K, Config>;
  sender: CoalescingSender;
  received: Counter<'provider'>;
  metrics: SourceMetrics;
  store: Store;
  log: Log;
  clock: Clock;
  secrets: SecretResolver;
  replicaId: string;
  leaseTtlMs?: number;
  restartBackoff: Backoff;
  emitBackoff: Backoff;
}

/** A run that lasted this long was healthy: the next failure starts the backoff from the bottom. */
const HEALTHY_RUN_MS = 60_000;

/** The life of one source on this replica: validate, (claim,) run, restart after failures, stop. */
export class SourceLoop<K extends RunnableKind, Config> {
  private readonly controller = new AbortController();
  private readonly log: Log;
  private currentState: SourceState = 'starting';
  private error: string | undefined;
  private done: Promise<void> | undefined;
  /** The newest version of an unchanged definition (only version and change time moved). */
  private currentVersion: number;
  private readonly health: SourceHealthNotes;
  /**
   * What `flint_source_up` shows, so a call that changes nothing (every accepted webhook call says
   * the source is healthy) does not look up the labelled series again.
   */
  private shownUp: boolean | undefined;

  constructor(
    readonly source: SourceOf<K>,
    readonly fingerprint: string,
    private readonly deps: SourceLoopDeps<K, Config>,
  ) {
    this.currentVersion = source.version;
    this.log = withFields(deps.log, { provider: source.provider, sourceId: source.id });
    this.health = new SourceHealthNotes({
      changed: () => this.showUp(),
      failed: () => deps.metrics.failed(source.id, source.provider),
    });
  }

  start(): void {
    this.deps.metrics.track(this.source.id, this.source.provider);
    this.shownUp = false;
    this.done ??= this.loop();
  }

  async stop(): Promise<void> {
    this.state = 'stopping';
    this.controller.abort();
    await this.done;
    this.deps.metrics.forget(this.source.id, this.source.provider);
    this.shownUp = undefined;
  }

  private get state(): SourceState {
    return this.currentState;
  }

  private set state(state: SourceState) {
    this.currentState = state;
    this.showUp();
  }

  /** `flint_source_up`: running here, and its last attempt and connection (if any) are fine. */
  private showUp(): void {
    const up = this.currentState === 'running' && this.health.healthy;
    if (up === this.shownUp) return;
    this.shownUp = up;
    this.deps.metrics.set(this.source.id, this.source.provider, up);
  }

  /** A new version whose content is the same: the loop keeps running, its status shows the version. */
  noteVersion(version: number): void {
    this.currentVersion = version;
  }

  status(): SourceStatus {
    const health = this.health.snapshot();
    const status: SourceStatus = {
      id: this.source.id,
      version: this.currentVersion,
      state: this.state,
      consecutiveFailures: health.consecutiveFailures,
    };
    const error = this.error ?? health.connectionError;
    if (error !== undefined) status.error = error;
    if (health.lastSuccessAt !== undefined) status.lastSuccessAt = health.lastSuccessAt;
    if (health.lastError !== undefined) status.lastError = health.lastError;
    if (health.lastErrorAt !== undefined) status.lastErrorAt = health.lastErrorAt;
    if (health.connection !== undefined) status.connection = health.connection;
    if (health.lastEventAt !== undefined) status.lastEventAt = health.lastEventAt;
    if (health.lag !== undefined) status.lag = health.lag;
    return status;
  }

  private async loop(): Promise<void> {
    const signal = this.controller.signal;
    const config = await this.validate();
    if (config === undefined) return;
    for (let failures = 0; !signal.aborted;) {
      const startedAt = Date.now();
      try {
        await this.runOnce(config.value);
        if (signal.aborted) return;
        throw new Error('the run loop returned before the source was stopped');
      } catch (err) {
        if (signal.aborted) return;
        failures = Date.now() - startedAt > HEALTHY_RUN_MS ? 1 : failures + 1;
        const delay = backoffDelay(failures, this.deps.restartBackoff);
        this.state = 'failed';
        this.error = messageOf(err);
        this.health.failed(this.error);
        this.log('error', `source failed, restarting in ${delay} ms: ${this.error}`);
        await systemClock.sleep(delay, signal);
      }
    }
  }

  /** The provider's prepared config, or undefined (state invalid) until the definition changes. */
  private async validate(): Promise<{ value: Config } | undefined> {
    try {
      return {
        value: await this.deps.provider.validate(
          this.source.config as SourceConfigOf<K>,
          this.source,
        ),
      };
    } catch (err) {
      this.state = 'invalid';
      this.error = messageOf(err);
      this.log('error', `source is invalid and will not run: ${this.error}`);
      return undefined;
    }
  }

  private async runOnce(config: Config): Promise<void> {
    const { provider } = this.deps;
    if (!provider.exclusive) {
      await this.runProvider(config, this.controller.signal);
      return;
    }
    this.state = 'waiting-for-lease';
    await runExclusive(
      {
        db: this.deps.store,
        name: `${this.source.provider}:${this.source.id}`,
        holder: this.deps.replicaId,
        signal: this.controller.signal,
        ttlMs: this.deps.leaseTtlMs,
        log: this.log,
      },
      async (leaseSignal) => {
        await this.runProvider(config, leaseSignal);
        if (!leaseSignal.aborted) {
          throw new Error('the run loop returned before the source was stopped');
        }
        if (!this.controller.signal.aborted) this.state = 'waiting-for-lease';
      },
    );
  }

  private async runProvider(config: Config, signal: AbortSignal): Promise<void> {
    const deps = this.deps;
    const ctx: SourceContext<K, Config> = {
      source: this.source,
      config,
      signal,
      store: deps.store,
      log: this.log,
      clock: deps.clock,
      secrets: secretsOf(deps.secrets, this.source.owner),
      replicaId: deps.replicaId,
      health: this.health,
    };
    const emit = createEmit({
      sourceId: this.source.id,
      provider: this.source.provider,
      sender: deps.sender,
      received: deps.received,
      backoff: deps.emitBackoff,
      clock: systemClock,
      log: this.log,
      signal,
    });
    this.state = 'running';
    this.error = undefined;
    await deps.provider.run(ctx, emit);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
