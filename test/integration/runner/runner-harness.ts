import { randomUUID } from 'node:crypto';
import type { RunRequest, RunStatus } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import type { RunRecord } from '@flint/store';
import type { Workflow } from '@flint/workflows';
import { RunnerModule } from '../../../apps/runner/src/runner.module';
import { waitFor } from '../../support/kafka';
import { type RunRepositories, runRepositories } from '../../support/runs';
import { type ConsumedMessage, ServiceTestBed } from '../../support/service-test-bed';

/**
 * The runner on the shared service test bed, with a producer for run requests and a collector that
 * keeps every message on the events and dead-letter topics.
 */
export class RunnerTestBed extends ServiceTestBed {
  readonly events: CollectedMessage[] = [];
  readonly deadLetters: CollectedMessage[] = [];
  runs!: RunRepositories;
  private collecting = false;

  constructor(prefix: string) {
    super('runner', prefix, { FLINT_RUNNER_POLL_INTERVAL_MS: '200' });
  }

  override async setUp(databaseName: string): Promise<void> {
    await super.setUp(databaseName);
    this.runs = runRepositories(this.store);
  }

  /** Starts the runner service and waits until it consumes run requests. */
  async startRunner(
    options: { env?: NodeJS.ProcessEnv; workflows?: Workflow[] } = {},
  ): Promise<RunningService> {
    const service = await this.start(
      (runtime) => RunnerModule.forRuntime(runtime, { workflows: options.workflows ?? [] }),
      options.env,
    );
    if (!this.collecting) {
      this.collecting = true;
      await this.collect([this.topics.events, this.topics.dlq], (message) => {
        const collected: CollectedMessage = {
          ...message,
          value: message.value?.toString() ?? null,
        };
        (message.topic === this.topics.dlq ? this.deadLetters : this.events).push(collected);
      });
    }
    return service;
  }

  stopRunner(service: RunningService): Promise<void> {
    return this.stop(service);
  }

  /** Publishes run requests as the evaluator does: JSON, keyed by run id. */
  async send(...requests: unknown[]): Promise<void> {
    await this.producer.send(
      this.topics.runs,
      requests.map((request) => ({
        key: (request as { runId?: string }).runId ?? null,
        value: typeof request === 'string' ? request : JSON.stringify(request),
      })),
    );
  }

  async sendRaw(value: string | null, key = 'raw'): Promise<void> {
    await this.producer.send(this.topics.runs, [{ key, value }]);
  }

  async waitForStatus(runId: string, status: RunStatus, timeoutMs = 60_000): Promise<RunRecord> {
    return waitFor(
      async () => {
        const run = await this.runs.history.get(runId);
        return run?.status === status ? run : undefined;
      },
      { timeoutMs, description: `run ${runId} to be ${status}` },
    );
  }

  /** The run-status events of one run, in the order they were published. */
  statusEvents(runId: string): StatusEventSeen[] {
    return this.events
      .filter((message) => message.headers.ce_subject === runId)
      .map((message) => ({
        type: message.headers.ce_type ?? '',
        data: JSON.parse(message.value ?? 'null') as StatusEventSeen['data'],
        headers: message.headers,
      }));
  }

  async waitForEvents(runId: string, types: string[]): Promise<StatusEventSeen[]> {
    return waitFor(
      () => {
        const seen = this.statusEvents(runId);
        return types.every((type) => seen.some((event) => event.type === type)) ? seen : undefined;
      },
      { description: `events ${types.join(', ')} of run ${runId}` },
    );
  }

  async waitForDeadLetter(key: string): Promise<CollectedMessage> {
    return waitFor(() => this.deadLetters.find((message) => message.key === key), {
      description: `a dead letter with key ${key}`,
    });
  }
}

/** A message of the events or dead-letter topic, its value as text. */
export interface CollectedMessage extends Omit<ConsumedMessage, 'value'> {
  value: string | null;
}

export interface StatusEventSeen {
  type: string;
  data: {
    runId: string;
    status: RunStatus;
    attempt: number;
    error?: { type: string; message: string };
    result?: unknown;
    input?: unknown;
    workflow?: string;
  };
  headers: Record<string, string>;
}

/** A valid run request; ids are unique per call unless given. */
export function runRequest(overrides: Partial<RunRequest> = {}): RunRequest {
  const now = new Date().toISOString();
  const id = randomUUID().slice(0, 8);
  return {
    runId: `test-trigger.${id}`,
    triggerId: 'test-trigger',
    triggerVersion: 1,
    owner: 'default',
    target: { type: 'local', workflow: 'echo', timeoutMs: 10_000 },
    input: { hello: 'world', id },
    eventIds: [`event-${id}`],
    retry: {
      maxAttempts: 3,
      backoff: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 },
    },
    requestedAt: now,
    acceptedAt: now,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    provider: 'webhook',
    ...overrides,
  };
}

/** The value of a counter or histogram count with these labels in the service's registry. */
export async function metricValue(
  service: RunningService,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = service.runtime.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, v]) => value.labels[key] === v))
    .filter(
      (value) =>
        !('metricName' in value) ||
        value.metricName === name ||
        value.metricName === `${name}_count`,
    )
    .reduce((sum, value) => sum + value.value, 0);
}
