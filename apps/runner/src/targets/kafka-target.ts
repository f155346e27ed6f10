import {
  type CloudEvent,
  type KafkaTarget,
  type RunRequest,
  WORKFLOW_CANCEL_COMMAND_TYPE,
  type WorkflowCancellation,
} from '@flint/contracts';
import {
  CloudEventEncodeError,
  encodeCloudEvent,
  type EventProducer,
  type OutgoingMessage,
  sendSpan,
} from '@flint/kafka';
import { inSpan, traceparentOf } from '@flint/telemetry';
import { SpanStatusCode } from '@opentelemetry/api';
import { type AttemptOutcome, errorOf, failed } from '../execution/attempt-outcome';
import { KeyExpressionError, type KeyExpressions } from './key-expression';
import type { StartAttempt, TargetCanceller, TargetStarter } from './target-starter';

/** CloudEvent type of the command a `kafka` target receives. */
export const START_COMMAND_TYPE = 'flint.workflow.start';

export interface KafkaTargetOptions {
  /** Longest a produce may take before the attempt counts as timed out. */
  timeoutMs: number;
}

/**
 * Starts a workflow by producing a command: the input as a CloudEvent (binary mode, id = run id) on
 * the target topic, keyed by the key expression or else the run id. Acknowledged by all in-sync
 * replicas means started; Kafka errors and timeouts are worth retrying, a bad key expression is not.
 * A produce cannot be called back: a start in flight when its run is cancelled runs to its end.
 */
export class KafkaTargetStarter implements TargetStarter, TargetCanceller {
  readonly type = 'kafka';
  readonly startedWhen = 'on-success';

  constructor(
    private readonly producer: EventProducer,
    private readonly keys: KeyExpressions,
    private readonly options: KafkaTargetOptions,
  ) {}

  async start({ request, traceparent, callback }: StartAttempt): Promise<AttemptOutcome> {
    const target = request.target as KafkaTarget;
    let key: string;
    try {
      key = target.key ? await this.keys.evaluate(target.key, request) : request.runId;
    } catch (err) {
      if (err instanceof KeyExpressionError) return failed(err.name, err.message, false);
      throw err;
    }
    // The command continues the trace from its own PRODUCER span, as an event from a provider does.
    const span = sendSpan(target.topic, [{ key, id: request.runId }]);
    return inSpan('flint-runner', span.name, span.options, async (active) => {
      const command = startCommand(request, traceparentOf(active) ?? traceparent);
      const outcome = await this.produce(
        target.topic,
        key,
        // A callback target's command says where to report the outcome, with the run's token.
        callback
          ? { ...command, flintcallbackurl: callback.url, flintcallbacktoken: callback.token }
          : command,
      );
      if (outcome.kind === 'failed') {
        active.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.type });
      }
      return outcome;
    });
  }

  /**
   * Asks the workflow to stop: a `flint.workflow.cancel` command (binary mode, `id` = `<run id>:cancel`,
   * subject = run id, the cancellation as `data`) on the target's `cancel.topic`, keyed by run id so it
   * follows the run's other commands when the start was keyed by run id too.
   */
  async cancel(request: RunRequest, cancellation: WorkflowCancellation): Promise<AttemptOutcome> {
    const cancel = (request.target as KafkaTarget).cancel;
    if (cancel === undefined) {
      return failed(
        'NoCancelRequestError',
        `the target of run ${request.runId} declares no cancel`,
        false,
      );
    }
    const outcome = await this.produce(
      cancel.topic,
      request.runId,
      cancelCommand(request, cancellation),
    );
    return outcome.kind === 'succeeded' ? { kind: 'succeeded', result: null } : outcome;
  }

  private async produce(topic: string, key: string, command: CloudEvent): Promise<AttemptOutcome> {
    let message: OutgoingMessage;
    try {
      // The key expression's value is also the command's partitionkey (the binding's key mapping).
      message = encodeCloudEvent({ ...command, partitionkey: key });
    } catch (err) {
      if (err instanceof CloudEventEncodeError) return failed(err.name, err.message, false);
      throw err;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const [metadata] = await Promise.race([
        this.producer.send(topic, [message]),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ProduceTimeoutError(topic, this.options.timeoutMs)),
            this.options.timeoutMs,
          );
        }),
      ]);
      return {
        kind: 'succeeded',
        result: {
          topic,
          key,
          partition: metadata?.partition ?? null,
          offset: metadata?.baseOffset ?? null,
        },
      };
    } catch (err) {
      const error = errorOf(err);
      return failed(
        err instanceof ProduceTimeoutError ? 'TimeoutError' : error.type,
        `producing the ${command.type} command to ${topic} failed: ${error.message}`,
        true,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

class ProduceTimeoutError extends Error {
  override readonly name = 'TimeoutError';

  constructor(topic: string, timeoutMs: number) {
    super(`${topic} did not acknowledge within ${timeoutMs} ms`);
  }
}

export function startCommand(request: RunRequest, traceparent?: string): CloudEvent {
  return {
    specversion: '1.0',
    id: request.runId,
    source: `flint/triggers/${request.triggerId}`,
    type: START_COMMAND_TYPE,
    subject: request.runId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    ...(request.input === undefined ? {} : { data: request.input }),
    flintsourceid: request.triggerId,
    flintprovider: 'runner',
    flintacceptedat: request.acceptedAt,
    ...(traceparent ? { traceparent } : {}),
  };
}

export function cancelCommand(request: RunRequest, cancellation: WorkflowCancellation): CloudEvent {
  return {
    specversion: '1.0',
    id: `${request.runId}:cancel`,
    source: `flint/triggers/${request.triggerId}`,
    type: WORKFLOW_CANCEL_COMMAND_TYPE,
    subject: request.runId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: cancellation,
    flintsourceid: request.triggerId,
    flintprovider: 'runner',
    flintacceptedat: request.acceptedAt,
  };
}
