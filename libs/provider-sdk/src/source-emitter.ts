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
import { Deadlines } from './deadlines';
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
  const flight = inFlight(deps.signal);
  const received = deps.received.labels({ provider: deps.provider });
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
        await publish(deps, flight, events.map(encode), options);
        received.inc(events.length);
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
  flight: InFlight,
  messages: OutgoingMessage[],
  options: EmitOptions,
): Promise<void> {
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  const attempts = options.attempts ?? Number.POSITIVE_INFINITY;
  for (let attempt = 1; ; attempt++) {
    if (deps.signal.aborted) throw new EmitAbortedError();
    const outcome = await attemptWithin(deps.sender, messages, flight, deadline);
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
 * The attempts of one source's emits waiting for Kafka, and what gives them up: one listener on the
 * source's signal and one timer for all of them. A webhook source has an attempt per concurrent
 * call, and a listener, an AbortController and a timer for each were a measurable share of the
 * webhook's CPU per event (issue 20).
 */
interface InFlight {
  readonly attempts: Set<(outcome: Outcome) => void>;
  readonly deadlines: Deadlines;
}

function inFlight(signal: AbortSignal): InFlight {
  const flight: InFlight = { attempts: new Set(), deadlines: new Deadlines() };
  signal.addEventListener(
    'abort',
    () => {
      for (const finish of flight.attempts) finish({ kind: 'aborted' });
    },
    { once: true },
  );
  return flight;
}

/**
 * One attempt, given up at the deadline or when the source stops. Messages still queued are then
 * withdrawn; messages already in a request still complete in the background and may land on Kafka:
 * the caller does not acknowledge, so the origin retries and the event arrives twice with the same
 * id, never zero times.
 */
function attemptWithin(
  sender: CoalescingSender,
  messages: OutgoingMessage[],
  flight: InFlight,
  deadline: number | undefined,
): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const queued = sender.queue(messages);
    let cancelDeadline: (() => void) | undefined;
    const finish = (outcome: Outcome) => {
      if (!flight.attempts.delete(finish)) return;
      cancelDeadline?.();
      if (outcome.kind === 'aborted' || outcome.kind === 'timeout') {
        queued.withdraw(new EmitAbortedError());
      }
      resolve(outcome);
    };
    flight.attempts.add(finish);
    if (deadline !== undefined) {
      cancelDeadline = flight.deadlines.add(deadline, () => finish({ kind: 'timeout' }));
    }
    queued.acked.then(
      () => finish({ kind: 'sent' }),
      (error: unknown) => finish({ kind: 'failed', error }),
    );
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
