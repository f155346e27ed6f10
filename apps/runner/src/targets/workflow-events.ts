import { type CloudEvent, EventTypeSchema, type RunRequest } from '@flint/contracts';
import { encodeCloudEvent, type EventProducer } from '@flint/kafka';

/** What a local workflow's `ctx.emit` was refused for: the workflow's mistake, thrown into it. */
export class EmitRefusedError extends Error {
  override readonly name = 'EmitRefusedError';
}

/** The most events one run may emit, so a runaway loop cannot flood the events topic. */
export const MAX_EVENTS_PER_RUN = 10_000;

export interface WorkflowEventsOptions {
  producer: EventProducer;
  /** The events topic. */
  topic: string;
  now?: () => Date;
}

/**
 * `ctx.emit` of local workflows: publishes a CloudEvent to the events topic and resolves once Kafka
 * acknowledged it. The event's `source` is the run id (what a trigger batches the run's items by:
 * `batch: { key: event.source }`), its `subject` the workflow, its owner the run's trigger's owner
 * and its trace the attempt's. It is keyed, like the run's status events, by the run's trigger id, so
 * the run's items and its final status event share a partition and the evaluator sees every item
 * before the status that closes their batches.
 */
export class WorkflowEvents {
  constructor(private readonly options: WorkflowEventsOptions) {}

  /** An `emit` for one attempt of one run. */
  emitterFor(
    request: RunRequest,
    traceparent: string | undefined,
  ): (type: string, data?: unknown, options?: { id?: string }) => Promise<void> {
    let emitted = 0;
    return async (type, data, options = {}) => {
      const parsedType = EventTypeSchema.safeParse(type);
      if (!parsedType.success) {
        throw new EmitRefusedError(
          `ctx.emit: ${JSON.stringify(type)} ${parsedType.error.issues[0]!.message}`,
        );
      }
      if (type.startsWith('flint.')) {
        throw new EmitRefusedError(
          `ctx.emit: event types starting with "flint." are Flint's own, got "${type}"`,
        );
      }
      if (
        options.id !== undefined &&
        (typeof options.id !== 'string' || options.id === '' || options.id.length > 512)
      ) {
        throw new EmitRefusedError('ctx.emit: id must be a string of 1 to 512 characters');
      }
      emitted += 1;
      if (emitted > MAX_EVENTS_PER_RUN) {
        throw new EmitRefusedError(`ctx.emit: a run may emit at most ${MAX_EVENTS_PER_RUN} events`);
      }
      const json = data === undefined ? undefined : JSON.stringify(data);
      const now = (this.options.now?.() ?? new Date()).toISOString();
      const event: CloudEvent = {
        specversion: '1.0',
        id: options.id ?? `${request.runId}:${emitted}`,
        source: request.runId,
        type,
        time: now,
        flintsourceid: request.triggerId,
        // Not `runner`: run-status triggers accept only the runner's own events, never a workflow's.
        flintprovider: 'workflow',
        flintacceptedat: now,
        flintowner: request.owner,
        ...(request.target.type === 'local' ? { subject: request.target.workflow } : {}),
        ...(traceparent ? { traceparent } : {}),
        ...(json === undefined
          ? {}
          : { data: JSON.parse(json), datacontenttype: 'application/json' }),
      };
      await this.options.producer.send(this.options.topic, [encodeCloudEvent(event)]);
    };
  }
}
