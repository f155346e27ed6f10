import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { type Backoff, type Clock, type Log, systemClock } from '@flint/common';
import type { RunnableKind, StoredDefinition } from '@flint/contracts';
import type { DefinitionChange } from '@flint/kafka';
import { type Store, SourceStatusRepository } from '@flint/store';
import type { Registry } from 'prom-client';
import { CoalescingSender, type MessageSender } from './coalescing-sender';
import { eventsReceivedCounter, SourceMetrics } from './metrics';
import type { SourceProviderImpl } from './provider';
import { EnvSecretResolver, type SecretResolver } from './secrets';
import { SourceLoop, type SourceLoopDeps, type SourceStatus } from './source-loop';
import { selectSources, sourceFingerprint } from './source-selection';
import { SourceStatusReporter, type SourceStatusSink } from './status-reporter';

/** The part of `DefinitionFeed` the runtime uses; the feed must already be started. */
export interface DefinitionStream {
  current(): ReadonlyMap<string, StoredDefinition>;
  onChange(listener: (change: DefinitionChange) => void): () => void;
}

export interface ProviderRuntimeOptions<K extends RunnableKind, Config> {
  provider: SourceProviderImpl<K, Config>;
  definitions: DefinitionStream;
  /** Usually the service's `EventProducer`. */
  producer: MessageSender;
  /** The `flint.events` topic name (`ServiceRuntime.topics.events`). */
  eventsTopic: string;
  store: Store;
  /** Where `triggers_events_received_total{provider}`, `flint_source_up` and failures are registered. */
  registry: Registry;
  log?: Log;
  /** The clock providers get in `ctx.clock`; the runtime's own waits use real time. */
  clock?: Clock;
  /** Defaults to `FLINT_SECRET_<NAME>` environment variables of this process. */
  secrets?: SecretResolver;
  /** Defaults to `<hostname>-<pid>-<random>`. */
  replicaId?: string;
  /** Lease ttl of exclusive providers; default 15 s. */
  leaseTtlMs?: number;
  /** Delay before a failed run loop starts again; default 1 s doubling to 30 s. */
  restartBackoff?: Backoff;
  /** Delay between attempts of a failed publish; default 200 ms doubling to 10 s. */
  emitBackoff?: Backoff;
  /** Where the sources' statuses are reported; defaults to the store's `source_status` table. */
  statusSink?: SourceStatusSink;
  /** How often statuses are reported besides on every change; default 10 s. */
  statusIntervalMs?: number;
}

const noLog: Log = () => undefined;

/**
 * Runs every enabled source of one provider kind (standalone, or declared inline in an enabled
 * trigger), following the definitions live: a source added, changed, disabled or deleted starts,
 * restarts or stops as soon as the change arrives. Each source gets a run loop with its own
 * AbortSignal; a loop that fails is started again after a backoff.
 */
export class ProviderRuntime<K extends RunnableKind = RunnableKind, Config = unknown> {
  readonly replicaId: string;
  private readonly loops = new Map<string, SourceLoop<K, Config>>();
  private readonly deps: SourceLoopDeps<K, Config>;
  private readonly log: Log;
  private unsubscribe: (() => void) | undefined;
  private dirty = false;
  private reconciling: Promise<void> | undefined;
  private stopped = false;
  private reportedDuplicates = '';
  private readonly statusReporter: SourceStatusReporter;

  constructor(private readonly options: ProviderRuntimeOptions<K, Config>) {
    this.replicaId =
      options.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.log = options.log ?? noLog;
    this.deps = {
      provider: options.provider,
      sender: new CoalescingSender(options.producer, options.eventsTopic),
      received: eventsReceivedCounter(options.registry),
      metrics: new SourceMetrics(options.registry),
      store: options.store,
      log: this.log,
      clock: options.clock ?? systemClock,
      secrets: options.secrets ?? new EnvSecretResolver(),
      replicaId: this.replicaId,
      leaseTtlMs: options.leaseTtlMs,
      restartBackoff: options.restartBackoff ?? { initialMs: 1000, maxMs: 30_000 },
      emitBackoff: options.emitBackoff ?? { initialMs: 200, maxMs: 10_000 },
    };
    this.statusReporter = new SourceStatusReporter({
      sink: options.statusSink ?? new SourceStatusRepository(options.store),
      replicaId: this.replicaId,
      provider: options.provider.kind,
      statuses: () => this.statuses(),
      log: this.log,
      intervalMs: options.statusIntervalMs,
    });
  }

  /** Starts the sources defined now and follows changes; resolves once every loop was launched. */
  async start(): Promise<void> {
    if (this.unsubscribe || this.stopped)
      throw new Error('the provider runtime was already started');
    this.unsubscribe = this.options.definitions.onChange(() => this.scheduleReconcile());
    this.scheduleReconcile();
    await this.reconciling;
    this.statusReporter.start();
  }

  /** Stops every loop (aborting their signals), waits for them to return and releases leases. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.reconciling;
    const loops = [...this.loops.values()];
    this.loops.clear();
    await Promise.all(loops.map((loop) => loop.stop()));
    await this.statusReporter.stop();
  }

  /** The sources this runtime handles and what each is doing, by source id. */
  statuses(): SourceStatus[] {
    return [...this.loops.values()]
      .map((loop) => loop.status())
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  private scheduleReconcile(): void {
    this.dirty = true;
    this.reconciling ??= this.reconcileWhileDirty().finally(() => {
      this.reconciling = undefined;
    });
  }

  private async reconcileWhileDirty(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.reconcile();
        if (!this.stopped) void this.statusReporter.report();
      } catch (err) {
        this.log('error', `could not apply definition changes: ${String(err)}`, {
          provider: this.options.provider.kind,
        });
      }
    }
  }

  private async reconcile(): Promise<void> {
    const { sources, duplicates } = selectSources(
      this.options.definitions.current(),
      this.options.provider.kind,
    );
    this.reportDuplicates(duplicates);
    const wanted = new Map([...sources].map(([id, source]) => [id, sourceFingerprint(source)]));
    const outdated = [...this.loops.values()].filter(
      (loop) => wanted.get(loop.source.id) !== loop.fingerprint,
    );
    for (const loop of outdated) this.loops.delete(loop.source.id);
    await Promise.all(outdated.map((loop) => loop.stop()));
    await Promise.all(
      outdated.filter((loop) => !wanted.has(loop.source.id)).map((loop) => this.retire(loop)),
    );
    if (this.stopped) return;
    for (const [id, source] of sources) {
      const running = this.loops.get(id);
      if (running) {
        running.noteVersion(source.version);
        continue;
      }
      const loop = new SourceLoop(source, wanted.get(id)!, this.deps);
      this.loops.set(id, loop);
      loop.start();
    }
  }

  private async retire(loop: SourceLoop<K, Config>): Promise<void> {
    const { provider } = this.options;
    try {
      await provider.retire?.(loop.source, this.options.store);
    } catch (err) {
      this.log('warn', `could not clean up after source ${loop.source.id}: ${String(err)}`, {
        provider: provider.kind,
        sourceId: loop.source.id,
      });
    }
  }

  private reportDuplicates(duplicates: string[]): void {
    const report = duplicates.join(',');
    if (report === this.reportedDuplicates) return;
    this.reportedDuplicates = report;
    if (duplicates.length === 0) return;
    this.log('warn', `source ids declared more than once; running one of each: ${report}`, {
      provider: this.options.provider.kind,
    });
  }
}
