import { setMaxListeners } from 'node:events';
import { type Backoff, backoffDelay, type Clock, type Log } from '@flint/common';
import type { RunnableKind, CloudEvent } from '@flint/contracts';
import {
  type OutgoingMessage,
  encodeCloudEvent,
  isPermanentPublishError,
  messageAttributes,
  sendSpan,
} from '@flint/kafka';
import { inSpan } from '@flint/telemetry';
import type { Counter } from 'prom-client';
import { buildCloudEvent } from './build-event';
import type { CoalescingSender } from './coalescing-sender';
import { EmitAbortedError, EmitFailedError } from './emit-errors';
import type { Emit, EmitInput, EmitOptions } from './provider';

export interface SourceEmitterDeps {
  sourceId: string;
  provider: RunnableKind;
  sender: CoalescingSender;
  received: Counter<'provider'>;
  backoff: Backoff;
  /** Used for waits between attempts; real time, whatever clock the provider is given. */
  clock: Clock;
  log: Log;
  /** The source's run signal: once aborted, emitting stops with `EmitAbortedError`. */
  signal: AbortSignal;
}

/** The `emit` a provider's run loop gets for one source. */
export function createEmit(deps: SourceEmitterDeps): Emit {
  // Every emit in flight listens to the source's signal until it settles (a webhook source has one
  // per concurrent call), so the default limit of 10 listeners would warn of a leak that is not one.
  setMaxListeners(0, deps.signal);
  // The PRODUCER span is active while the events are built, so each carries its traceparent and the
  // evaluator and runner continue this trace.
  const many = (inputs: readonly EmitInput[], options: EmitOptions = {}) => {
    const span = sendSpan(
      deps.sender.topic,
      inputs.map(() => ({ key: deps.sourceId })),
    );
    return inSpan(
      `flint-${deps.provider}`,
      span.name,
      {
        ...span.options,
        attributes: { ...span.options.attributes, 'flint.source.id': deps.sourceId },
      },
      async (active) => {
        const acceptedAt = options.acceptedAt ?? new Date();
        const events = inputs.map((input) =>
          buildCloudEvent(input, {
            sourceId: deps.sourceId,
            provider: deps.provider,
            acceptedAt,
            traceparent: options.traceparent,
          }),
        );
        if (events.length === 1) active.setAttributes(messageAttributes({ id: events[0].id }));
        await publish(deps, events.map(encode), options);
        deps.received.inc({ provider: deps.provider }, events.length);
        return events;
      },
    );
  };
  const emit = async (input: EmitInput, options?: EmitOptions) => (await many([input], options))[0];
  return Object.assign(emit, { many });
}

function encode(event: CloudEvent): OutgoingMessage {
  try {
    return encodeCloudEvent(event);
  } catch (err) {
    throw new EmitFailedError((err as Error).message, { permanent: true, cause: err });
  }
}

/** Tries until Kafka acknowledges, the attempts or time run out, or the source is stopped. */
async function publish(
  deps: SourceEmitterDeps,
  messages: OutgoingMessage[],
  options: EmitOptions,
): Promise<void> {
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  const attempts = options.attempts ?? Number.POSITIVE_INFINITY;
  for (let attempt = 1; ; attempt++) {
    if (deps.signal.aborted) throw new EmitAbortedError();
    const outcome = await attemptWithin(deps.sender, messages, deps.signal, deadline);
    if (outcome.kind === 'sent') return;
    if (outcome.kind === 'aborted') throw new EmitAbortedError();
    if (outcome.kind === 'timeout') {
      throw new EmitFailedError(
        `Kafka did not acknowledge the event within ${options.timeoutMs} ms`,
        { permanent: false },
      );
    }
    const err = outcome.error;
    if (isPermanentPublishError(err)) {
      throw new EmitFailedError(`Kafka refused the event: ${describe(err)}`, {
        permanent: true,
        cause: err,
      });
    }
    const delay = backoffDelay(attempt, deps.backoff);
    if (attempt >= attempts || (deadline !== undefined && Date.now() + delay >= deadline)) {
      throw new EmitFailedError(`could not publish to Kafka: ${describe(err)}`, {
        permanent: false,
        cause: err,
      });
    }
    deps.log('warn', `publishing failed, retrying in ${delay} ms: ${describe(err)}`, {
      attempt,
    });
    await deps.clock.sleep(delay, deps.signal);
  }
}

type Outcome =
  { kind: 'sent' } | { kind: 'failed'; error: unknown } | { kind: 'aborted' } | { kind: 'timeout' };

/**
 * One attempt, given up at the deadline or when the source stops. Messages still queued are then
 * withdrawn; messages already in a request still complete in the background and may land on Kafka:
 * the caller does not acknowledge, so the origin retries and the event arrives twice with the same
 * id, never zero times.
 */
function attemptWithin(
  sender: CoalescingSender,
  messages: OutgoingMessage[],
  signal: AbortSignal,
  deadline: number | undefined,
): Promise<Outcome> {
  const giveUp = new AbortController();
  return new Promise<Outcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (outcome.kind === 'aborted' || outcome.kind === 'timeout') giveUp.abort();
      resolve(outcome);
    };
    const onAbort = () => finish({ kind: 'aborted' });
    signal.addEventListener('abort', onAbort, { once: true });
    if (deadline !== undefined) {
      timer = setTimeout(() => finish({ kind: 'timeout' }), Math.max(0, deadline - Date.now()));
    }
    sender.send(messages, giveUp.signal).then(
      () => finish({ kind: 'sent' }),
      (error: unknown) => finish({ kind: 'failed', error }),
    );
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
