import {
  type CloudEvent,
  definitionKey,
  type RunRequest,
  RunRequestSchema,
  type StoredDefinition,
  StoredDefinitionSchema,
} from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import { EvaluatorModule } from '../../../apps/evaluator/src/evaluator.module';
import { waitFor } from '../../support/kafka';
import { type ConsumedMessage, ServiceTestBed } from '../../support/service-test-bed';

let sequence = 0;

/** A webhook event of `source`; ids are unique unless given. */
export function testEvent(source: string, overrides: Partial<CloudEvent> = {}): CloudEvent {
  sequence++;
  const now = new Date().toISOString();
  return {
    specversion: '1.0',
    id: `${source}-${Date.now()}-${sequence}`,
    source: `flint/webhook/${source}`,
    type: 'com.github.push',
    time: now,
    datacontenttype: 'application/json',
    data: { ref: 'refs/heads/main', n: sequence },
    flintsourceid: source,
    flintprovider: 'webhook',
    flintacceptedat: now,
    // The test triggers' owner, so events reach them by type even from sources the test never defined.
    flintowner: 'default',
    ...overrides,
  };
}

/**
 * The evaluator on the shared service test bed, with a producer for definitions and events and a
 * collector of every run request and dead letter.
 */
export class EvaluatorTestBed extends ServiceTestBed {
  readonly runs: { request: RunRequest; key: string | null; headers: Record<string, string> }[] =
    [];
  readonly deadLetters: ConsumedMessage[] = [];
  private readonly versions = new Map<string, number>();

  constructor(prefix: string) {
    super('evaluator', prefix);
  }

  override async setUp(databaseName: string): Promise<void> {
    await super.setUp(databaseName);
    await this.collect([this.topics.runs, this.topics.dlq], (message) => {
      if (message.topic === this.topics.dlq) {
        this.deadLetters.push(message);
        return;
      }
      const request = RunRequestSchema.parse(JSON.parse(String(message.value)));
      this.runs.push({ request, key: message.key, headers: message.headers });
    });
  }

  /** Starts the evaluator service and waits until it has every definition and consumes events. */
  startEvaluator(env: NodeJS.ProcessEnv = {}): Promise<RunningService> {
    return this.start((runtime) => EvaluatorModule.forRuntime(runtime), env);
  }

  stopEvaluator(service: RunningService): Promise<void> {
    return this.stop(service);
  }

  /** Publishes definitions to the triggers topic as the API's outbox would, each at its next version. */
  async define(...definitions: Record<string, unknown>[]): Promise<StoredDefinition[]> {
    const stored = definitions.map((definition) => {
      const key = `${definition.kind as string}:${definition.id as string}`;
      const version = (this.versions.get(key) ?? 0) + 1;
      this.versions.set(key, version);
      return StoredDefinitionSchema.parse({
        ...definition,
        version,
        updatedAt: new Date().toISOString(),
      });
    });
    await this.producer.send(
      this.topics.triggers,
      stored.map((definition) => ({
        key: definitionKey(definition),
        value: JSON.stringify(definition),
      })),
    );
    return stored;
  }

  async deleteDefinition(kind: 'source' | 'trigger', id: string): Promise<void> {
    await this.producer.send(this.topics.triggers, [{ key: `${kind}:${id}`, value: null }]);
  }

  async publish(...events: CloudEvent[]): Promise<void> {
    await this.producer.publishEvents(this.topics.events, events);
  }

  /** The run requests of one trigger seen so far. */
  runsOf(triggerId: string): RunRequest[] {
    return this.runs.filter((run) => run.request.triggerId === triggerId).map((run) => run.request);
  }

  async waitForRuns(triggerId: string, count: number, timeoutMs = 60_000): Promise<RunRequest[]> {
    return waitFor(
      () => {
        const runs = this.runsOf(triggerId);
        return runs.length >= count ? runs : undefined;
      },
      { timeoutMs, description: `${count} run request(s) of trigger ${triggerId}` },
    );
  }
}

/** A trigger definition as a user writes it (defaults are applied when it is published). */
export function trigger(id: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'trigger', id, target: { type: 'local', workflow: 'echo' }, ...fields };
}

export function webhookSource(id: string): Record<string, unknown> {
  return { kind: 'source', id, provider: 'webhook', config: { path: id, auth: { type: 'none' } } };
}
