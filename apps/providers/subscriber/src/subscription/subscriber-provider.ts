import { type Backoff, backoffDelay, errorText, systemClock } from '@flint/common';
import type { Emit, SourceContext, SourceProviderImpl } from '@flint/provider-sdk';
import type { Delivery } from './delivery';
import { type DeadLetterSender, DeliveryPipeline } from './delivery-pipeline';
import type { MessageSettings } from './message-translator';
import type { StreamKind, StreamSession, SubscriberKind } from './stream-kind';
import type { SubscriberMetrics } from './subscriber-metrics';

/** What every stream kind of the service shares. */
export interface SubscriberDeps {
  metrics: SubscriberMetrics;
  deadLetters: DeadLetterSender;
  dlqTopic: string;
  /** Between reconnection attempts, with jitter (`FLINT_SUBSCRIBER_RECONNECT_*`). */
  reconnectBackoff: Backoff;
}

/** Failed attempts in a row after which the source shows `failed` instead of `reconnecting`. */
const FAILED_AFTER_ATTEMPTS = 5;
/** A connection that stayed up this long was healthy: the next failure starts the backoff over. */
const HEALTHY_CONNECTION_MS = 60_000;

/**
 * A stream kind as the provider SDK runs it: one connection per source at a time, reconnected with
 * backoff and jitter whenever it fails, its messages through the `DeliveryPipeline`, and its state
 * (connecting, up, reconnecting, failed) in the source's status and, through the SDK, in
 * `flint_source_up` and `flint_source_failures_total`.
 */
export function subscriberProvider<K extends SubscriberKind, Config extends MessageSettings>(
  kind: StreamKind<K, Config>,
  deps: SubscriberDeps,
): SourceProviderImpl<K, Config> {
  const provider: SourceProviderImpl<K, Config> = {
    kind: kind.kind,
    validate: (config, source) => kind.validate(config, source),
    run: (ctx, emit) => runConnected(kind, deps, ctx, emit),
  };
  return {
    ...provider,
    ...(kind.exclusive ? { exclusive: true } : {}),
    ...(kind.retire ? { retire: kind.retire.bind(kind) } : {}),
  };
}

async function runConnected<K extends SubscriberKind, Config extends MessageSettings>(
  kind: StreamKind<K, Config>,
  deps: SubscriberDeps,
  ctx: SourceContext<K, Config>,
  emit: Emit,
): Promise<void> {
  const { source, signal, log, health } = ctx;
  const pipeline = new DeliveryPipeline({
    sourceId: source.id,
    provider: kind.kind,
    settings: ctx.config,
    emit,
    deadLetters: deps.deadLetters,
    dlqTopic: deps.dlqTopic,
    metrics: deps.metrics,
    health,
    log,
    signal,
  });
  let upSince: number | undefined;
  const session: StreamSession<K, Config> = {
    ctx,
    deliver: (batch: readonly Delivery[]) => pipeline.handle(batch),
    connected: () => {
      upSince = Date.now();
      health.connection('up');
      log('info', 'connected upstream');
    },
    lag: (messages) => {
      health.lag(messages);
      deps.metrics.behind(source.id, kind.kind, messages);
    },
  };
  health.connection('connecting');
  try {
    for (let failures = 0; !signal.aborted;) {
      upSince = undefined;
      try {
        await kind.consume(session);
        if (signal.aborted) return;
        throw new Error('the connection ended');
      } catch (err) {
        if (signal.aborted) return;
        const wasHealthy = upSince !== undefined && Date.now() - upSince > HEALTHY_CONNECTION_MS;
        failures = wasHealthy ? 1 : failures + 1;
        const reason = errorText(err);
        health.connection(failures > FAILED_AFTER_ATTEMPTS ? 'failed' : 'reconnecting', reason);
        const delay = backoffDelay(failures, deps.reconnectBackoff);
        log('warn', `connection failed, reconnecting in ${delay} ms: ${reason}`);
        await systemClock.sleep(delay, signal);
      }
    }
  } finally {
    deps.metrics.forget(source.id, kind.kind);
  }
}
