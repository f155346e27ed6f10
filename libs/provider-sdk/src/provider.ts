import type { Clock, Log } from '@flint/common';
import type { CloudEvent, RunnableKind, SourceConfigOf, StoredSource } from '@flint/contracts';
import type { Store } from '@flint/store';
import type { OwnedSecrets } from './secrets';
import type { SourceHealth } from './source-health';

/** A source definition of one kind, with its config typed for that kind. */
export type SourceOf<K extends RunnableKind> = StoredSource & { provider: K };

/** What a provider hands to `emit`: the runtime adds everything Flint needs to route the event. */
export interface EmitInput {
  /**
   * Stable id from the origin (a delivery id, an item key, source id + slot time): a redelivery with
   * the same id is recognised downstream. Generated when absent.
   */
  id?: string;
  type: string;
  subject?: string;
  data?: unknown;
  /** When the event happened at the origin; defaults to when it was accepted. */
  time?: Date | string;
  /** Defaults to `application/json` when `data` is present. */
  datacontenttype?: string;
  dataschema?: string;
  /** CloudEvent `source` attribute; defaults to the Flint source id. */
  source?: string;
  /**
   * Further CloudEvent extension attributes, such as those of a foreign CloudEvent taken as it is.
   * Flint's own (`flint*`, `traceparent`) are set by the runtime and cannot be given here.
   */
  extensions?: Readonly<Record<string, string | number | boolean>>;
}

export interface EmitOptions {
  /**
   * How many times to try before giving up with `EmitFailedError`; default: until it succeeds or the
   * source is stopped (then `EmitAbortedError`). A webhook bounds it to answer 503 promptly.
   */
  attempts?: number;
  /** Gives up (with `EmitFailedError`) after this long, however many attempts are left. */
  timeoutMs?: number;
  /** When Flint accepted the event(s); defaults to now. */
  acceptedAt?: Date;
  /** W3C traceparent of the request the event came from; else the active span's or a fresh one. */
  traceparent?: string;
}

/**
 * Publishes events of the running source to `flint.events`. Resolves with the CloudEvents as
 * published only once Kafka acknowledged them (all in-sync replicas): acknowledge to the origin after.
 */
export interface Emit {
  (event: EmitInput, options?: EmitOptions): Promise<CloudEvent>;
  /** A batch in one produce request; all or nothing from the caller's view. */
  many(events: readonly EmitInput[], options?: EmitOptions): Promise<CloudEvent[]>;
}

/** Everything a provider's run loop of one source may use. */
export interface SourceContext<K extends RunnableKind = RunnableKind, Config = unknown> {
  readonly source: SourceOf<K>;
  /** What `validate` returned for this source's config. */
  readonly config: Config;
  /** Aborted when the source is changed, disabled, deleted, its lease lost, or the service stops. */
  readonly signal: AbortSignal;
  readonly store: Store;
  readonly log: Log;
  readonly clock: Clock;
  readonly secrets: OwnedSecrets;
  /** This replica's identity, as written into leases and claims. */
  readonly replicaId: string;
  /** Where a source that holds a connection upstream reports its state, last event and lag. */
  readonly health: SourceHealth;
}

/**
 * One kind of source. It knows nothing of Kafka: it validates a source's config and runs it,
 * handing what it observes to `emit`.
 */
export interface SourceProviderImpl<K extends RunnableKind = RunnableKind, Config = unknown> {
  readonly kind: K;
  /**
   * Checks what the contract schema cannot (a cron expression parses, a JSON Schema compiles) and
   * returns the config prepared for `run`. Throws `InvalidSourceError` with a clear message.
   */
  validate(config: SourceConfigOf<K>, source: SourceOf<K>): Config | Promise<Config>;
  /**
   * Runs one source until `ctx.signal` is aborted, then returns promptly. Throwing (or returning
   * early) makes the runtime log it and start the source again after a backoff.
   */
  run(ctx: SourceContext<K, Config>, emit: Emit): Promise<void>;
  /**
   * Called on every replica once a source it ran was disabled or deleted (not when it changed or the
   * service stops), after its run returned: forget state that must not outlive the source.
   */
  retire?(source: SourceOf<K>, store: Store): Promise<void>;
  /**
   * Run each source on one replica at a time: the runtime holds a lease in the `leases` table
   * (`<kind>:<source id>`) while `run` runs, and aborts `ctx.signal` if the lease is lost.
   */
  readonly exclusive?: boolean;
}

/** A source config the provider cannot run; the message is shown to whoever defined the source. */
export class InvalidSourceError extends Error {
  override readonly name = 'InvalidSourceError';
}
