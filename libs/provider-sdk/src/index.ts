/**
 * @flint/provider-sdk — the shared runtime of the provider services (apps/providers/*).
 *
 * A provider implements `SourceProviderImpl<K, Config>`:
 *   - `kind`: the source kind, as registered in SOURCE_KINDS (libs/contracts)
 *   - `validate(config, source) → Config`: checks beyond the contract schema (config is already
 *     parsed, defaults filled); throw `InvalidSourceError('clear message')`. The returned value is
 *     `ctx.config`. An invalid source does not run (state 'invalid') until its definition changes.
 *   - `run(ctx, emit)`: runs ONE source until `ctx.signal` aborts, then returns. Throwing (or
 *     returning early) → logged, restarted after a backoff (1 s doubling to 30 s).
 *   - `retire?(source, store)`: called on every replica after a source it ran was disabled or
 *     deleted (not on a change or shutdown), to forget state that must not outlive the source.
 *   - `exclusive?: true`: each source runs on one replica only; the runtime holds lease
 *     `<kind>:<sourceId>` in the `leases` table while `run` runs; `ctx.signal` aborts if it is lost.
 * `ctx`: `source` (StoredSource of that provider), `config` (from validate), `signal`, `store`,
 * `log(level, message, fields?)`, `clock` (`now()`, `sleep(ms, signal?)` never rejects),
 * `secrets.resolve(name)`, `replicaId`.
 * `emit({ id?, type, subject?, data?, time?, datacontenttype?, dataschema?, source? }, opts?)`
 * resolves with the published CloudEvent only after Kafka acked it. It retries transient errors
 * until it succeeds or `ctx.signal` aborts (→ `EmitAbortedError`); `opts.attempts`/`opts.timeoutMs`
 * bound that (→ `EmitFailedError`, `permanent: false`). Invalid or oversized events reject at once
 * (`EmitFailedError`, `permanent: true`). `emit.many([...], opts?)` publishes a batch at once.
 * The runtime fills `flintsourceid` (also the Kafka key), `flintprovider`, `flintacceptedat`
 * (`opts.acceptedAt` or now), `traceparent` (`opts.traceparent`, the active span's, or a new one),
 * `source` (default: the source id), `time` (default: accepted time), `id` (default: random UUID),
 * `datacontenttype` (default application/json when data is set), and counts
 * `triggers_events_received_total{provider}`. Concurrent emits are coalesced into shared produce
 * requests.
 *
 * Sources followed: enabled `kind: source` definitions of the provider, and enabled inline sources of
 * enabled triggers, live from the DefinitionFeed; a change to anything but version/updatedAt restarts
 * the source's loop (abort, await, start again). A version-only change keeps the loop (and the
 * `ctx.source` it started with); `runtime.statuses()` shows the newest version.
 *
 * Hosting: a provider service's root module is `providerServiceModule({ module, runtime, service,
 * kinds: { <kind>: implementation } })`: the kinds must be exactly those the registry (SOURCE_KINDS in
 * libs/contracts) assigns to the service, else the boot fails naming the gap. It registers a
 * `ProviderService`, which builds one DefinitionFeed and EventProducer and a ProviderRuntime per kind,
 * provisions topics and starts in the background with retries (Nest `onApplicationBootstrap`/
 * `onApplicationShutdown`); `whenReady()`, `isReady`, `statuses()`.
 *
 * Exactly-one-replica work that is not a whole source (a folder, a poll job): `runExclusive({ db,
 * name, holder, signal, ttlMs? }, fn)` or the lower-level `Lease` of @flint/store (tryAcquire/renew/release).
 * Secrets: `SecretResolver`; `providerSecrets(runtime)` reads the API's encrypted store (when
 * FLINT_SECRETS_KEYS is set, through a 5 s cache), then `EnvSecretResolver`: `FLINT_SECRET_<NAME>`
 * (upper-cased, non-alphanumerics → `_`). Tests: `ManualClock` from `@flint/common/testing`.
 */
export { EmitAbortedError, EmitFailedError } from './emit-errors';
export * from './exclusive';
export { EVENTS_RECEIVED_METRIC } from './metrics';
export * from './provider';
export * from './provider-runtime';
export * from './provider-service';
export * from './provider-service.module';
export * from './secrets';
export type { ConnectionState, SourceHealth } from './source-health';
export type { SourceState, SourceStatus } from './source-loop';
export { selectSources, type SelectedSources } from './source-selection';
export {
  CronSchedule,
  IntervalSchedule,
  parseSchedule,
  type RecentSlots,
  type Schedule,
  ScheduleError,
} from './cron/schedule';
export { type CronTick, tickEvent } from './cron/tick-event';
export { buildCloudEvent, type EventOrigin, newTraceparent } from './build-event';
