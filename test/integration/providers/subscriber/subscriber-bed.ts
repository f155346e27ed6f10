import { join } from 'node:path';
import type { CloudEvent, StoredDefinition } from '@flint/contracts';
import { type RunningService, startService } from '@flint/service-kit';
import { SourceStatusRepository } from '@flint/store';
import { EvaluatorModule } from '../../../../apps/evaluator/src/evaluator.module';
import { RunnerModule } from '../../../../apps/runner/src/runner.module';
import {
  type StreamKinds,
  streamKinds,
} from '../../../../apps/providers/subscriber/src/subscriber-kinds';
import { SubscriberModule } from '../../../../apps/providers/subscriber/src/subscriber.module';
import { uniqueName, waitFor } from '../../../support/kafka';
import {
  collectMessages,
  type ConsumedMessage,
  TestGround,
} from '../../../support/service-test-bed';
import { EventCollector, stored } from '../../../support/provider-fixture';
import { TcpProxy } from '../../../support/tcp-proxy';
import { type ChildResult, runTsFixture } from '../../../support/ts-child-process';

export interface RunRow {
  runId: string;
  status: string;
  eventIds: string[];
  input: unknown;
}

const DYING_FIXTURE = join(__dirname, 'fixtures', 'subscriber-dying-before-ack.ts');

/**
 * The pipeline a stream source feeds, on a database and topics of its own: the subscriber, the
 * evaluator and the runner as they run in production, definitions published the way the API's outbox
 * does, and readers for the runs, flint.events and flint.dlq. A subscriber can also run as a child
 * process that is killed with SIGKILL between Kafka's acknowledgement and the upstream one.
 */
export class SubscriberBed extends TestGround {
  private events!: EventCollector;
  readonly deadLetters: ConsumedMessage[] = [];
  private readonly core: RunningService[] = [];
  private subscriber: RunningService | undefined;
  private readonly cleanUps: Array<() => Promise<void>> = [];

  constructor(private readonly prefix: string) {
    super(prefix, `flint-${prefix}-test`);
  }

  override async setUp(): Promise<void> {
    await super.setUp(this.prefix.replace(/-/g, '_'));
    this.events = await EventCollector.start(this.kafka, this.topics.events);
    await this.collectDeadLetters();
    for (const [name, module] of [
      ['evaluator', EvaluatorModule],
      ['runner', RunnerModule],
    ] as const) {
      const service = await startService(name, (runtime) => module.forRuntime(runtime), {
        env: this.env(),
        handleSignals: false,
        logger: false,
      });
      this.core.push(service);
      await service.consuming;
    }
  }

  override async tearDown(): Promise<void> {
    await this.stopSubscriber();
    for (const service of this.core.splice(0).reverse()) await service.stop();
    await this.events?.stop();
    for (const cleanUp of this.cleanUps.splice(0)) await cleanUp();
    await super.tearDown();
  }

  /** The environment of every service of the bed. */
  override env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return super.env({
      FLINT_EVALUATOR_GROUP_ID: `${this.topics.events}-evaluator`,
      FLINT_RUNNER_GROUP_ID: `${this.topics.runs}-runner`,
      FLINT_EVALUATOR_PORT: '0',
      FLINT_RUNNER_PORT: '0',
      FLINT_SUBSCRIBER_PORT: '0',
      FLINT_RUNNER_POLL_INTERVAL_MS: '200',
      // Connections are cut on purpose here: a source whose upstream is back reconnects within 3 s
      // (by default the wait has doubled to 4–16 s by then). Its five failed attempts before
      // `failed` still span 12–15 s, so a status report (every 10 s) shows it `reconnecting`.
      FLINT_SUBSCRIBER_RECONNECT_INITIAL_MS: '3000',
      FLINT_SUBSCRIBER_RECONNECT_MAX_MS: '3000',
      ...extra,
    });
  }

  async startSubscriber(kinds: StreamKinds = streamKinds()): Promise<RunningService> {
    if (this.subscriber) throw new Error('the bed runs one subscriber at a time');
    this.subscriber = await startService(
      'subscriber',
      (runtime) => SubscriberModule.forRuntime(runtime, kinds),
      { env: this.env(), handleSignals: false, logger: false },
    );
    return this.subscriber;
  }

  async stopSubscriber(): Promise<void> {
    await this.subscriber?.stop();
    this.subscriber = undefined;
  }

  /**
   * Runs a subscriber in a child process whose `kind` kills its process (SIGKILL) right after Kafka
   * acknowledged the first batch and before it acknowledges upstream; resolves once it died.
   */
  runSubscriberDyingBeforeAck(kind: keyof StreamKinds): Promise<ChildResult> {
    return runTsFixture(
      DYING_FIXTURE,
      this.env({ FLINT_TEST_DYING_KIND: kind }),
      `the ${kind} subscriber never received a message to die on`,
    );
  }

  /**
   * The crash guarantee of a kind: a subscriber killed -9 right after Kafka acknowledged the source's
   * event and before the upstream acknowledgement; then a healthy one gets the message again, with
   * the same event id, and one run starts. `whileDead` checks the upstream in between.
   */
  async expectOneRunAfterKill(
    kind: keyof StreamKinds,
    sourceId: string,
    triggerId: string,
    whileDead: () => Promise<void> = async () => undefined,
  ): Promise<CloudEvent[]> {
    const died = await this.runSubscriberDyingBeforeAck(kind);
    expect(died.signal).toBe('SIGKILL');
    await this.waitForEvents(sourceId, 1);
    await whileDead();
    await this.startSubscriber();
    const events = await this.waitForEvents(sourceId, 2);
    expect(new Set(events.map((event) => event.id)).size).toBe(1);
    await this.waitForSucceededRuns(triggerId, 1, 'one succeeded run');
    expect(await this.runs(triggerId)).toHaveLength(1);
    return events;
  }

  /**
   * The reconnect guarantee of a kind: its source reaches the upstream at `upstreamPort` through a
   * proxy, the proxy cuts the connection (the source reports `reconnecting`), a message is published
   * meanwhile, and once the proxy serves again the source is `up` and the message starts its run.
   */
  async expectResumeAfterDrop(
    upstreamPort: number,
    define: (port: number) => Promise<{ sourceId: string; triggerId: string }>,
    publishWhileDown: () => Promise<unknown> | void,
  ): Promise<void> {
    const proxy = new TcpProxy(upstreamPort);
    await proxy.open();
    try {
      const { sourceId, triggerId } = await define(proxy.port);
      await this.startSubscriber();
      await this.waitForConnection(sourceId, 'up');
      await proxy.close();
      const down = await this.waitForConnection(sourceId, 'reconnecting');
      // The lost connection is a failed attempt, reported like every kind's failures.
      expect(down.consecutiveFailures).toBeGreaterThanOrEqual(1);
      expect(down).toMatchObject({ lastError: expect.any(String), lastErrorAt: expect.any(Date) });
      await publishWhileDown();
      await proxy.open();
      await this.waitForSucceededRuns(triggerId, 1, 'the message published while down');
      const up = await waitFor(
        async () => {
          const row = await this.waitForConnection(sourceId, 'up');
          return row.consecutiveFailures === 0 ? row : undefined;
        },
        { description: `source ${sourceId} reported up without failures` },
      );
      expect(up).toMatchObject({ lastSuccessAt: expect.any(Date), lastError: expect.any(String) });
    } finally {
      await proxy.close();
    }
  }

  /** Publishes a source and a trigger starting the echo workflow with the event's data. */
  async define(source: Record<string, unknown> & { id: string }): Promise<string> {
    const triggerId = `${source.id}-echo`;
    await this.publish(stored({ kind: 'source', ...source }));
    await this.publish(
      stored({
        kind: 'trigger',
        id: triggerId,
        sources: [source.id],
        target: { type: 'local', workflow: 'echo' },
        input: { eventId: 'event.id', type: 'event.type', data: 'event.data' },
      }),
    );
    return triggerId;
  }

  async publish(definition: StoredDefinition): Promise<void> {
    await this.producer.send(this.topics.triggers, [
      { key: `${definition.kind}:${definition.id}`, value: JSON.stringify(definition) },
    ]);
  }

  /** Removes a definition, so the subscriber stops running it. */
  async remove(kind: 'source' | 'trigger', id: string): Promise<void> {
    await this.producer.send(this.topics.triggers, [{ key: `${kind}:${id}`, value: null }]);
  }

  async runs(triggerId: string): Promise<RunRow[]> {
    const rows = await this.store.query<{
      run_id: string;
      status: string;
      event_ids: string[];
      input: unknown;
    }>(
      'SELECT run_id, status, event_ids, input FROM runs WHERE trigger_id = $1 ORDER BY created_at',
      [triggerId],
    );
    return rows.map((row) => ({
      runId: row.run_id,
      status: row.status,
      eventIds: row.event_ids,
      input: row.input,
    }));
  }

  /** Waits until the trigger's runs satisfy `predicate` (all succeeded, say) and returns them. */
  waitForRuns(
    triggerId: string,
    predicate: (runs: RunRow[]) => boolean,
    description: string,
  ): Promise<RunRow[]> {
    return waitFor(
      async () => {
        const runs = await this.runs(triggerId);
        return predicate(runs) ? runs : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 200, description },
    );
  }

  /** Waits until the trigger has exactly `count` runs, every one of them succeeded. */
  waitForSucceededRuns(triggerId: string, count: number, description: string): Promise<RunRow[]> {
    return this.waitForRuns(
      triggerId,
      (runs) => runs.length === count && runs.every((run) => run.status === 'SUCCEEDED'),
      description,
    );
  }

  /** Waits until the subscriber reported the source's connection in `state` (and an event, if asked). */
  waitForConnection(
    sourceId: string,
    state: string,
    options: { withEvent?: boolean } = {},
  ): Promise<NonNullable<Awaited<ReturnType<SubscriberBed['status']>>>> {
    return waitFor(
      async () => {
        const row = await this.status(sourceId);
        if (row?.connection !== state) return undefined;
        return options.withEvent && row.lastEventAt === undefined ? undefined : row;
      },
      { timeoutMs: 60_000, description: `source ${sourceId} reported ${state}` },
    );
  }

  /** The events of a source on flint.events so far, redeliveries included. */
  eventsOf(sourceId: string): CloudEvent[] {
    return this.events.ofSource(sourceId);
  }

  async waitForEvents(sourceId: string, count: number): Promise<CloudEvent[]> {
    await this.events.until(
      () => this.eventsOf(sourceId).length >= count,
      `${count} events of source ${sourceId} on flint.events`,
      90_000,
    );
    return this.eventsOf(sourceId);
  }

  /** Waits for a dead letter of the source on flint.dlq. */
  waitForDeadLetter(sourceId: string): Promise<ConsumedMessage> {
    return waitFor(() => this.deadLetters.find((m) => m.headers.flint_dlq_source_id === sourceId), {
      timeoutMs: 60_000,
      description: `a dead letter of source ${sourceId}`,
    });
  }

  /** What the subscriber reported about the source: connection, last event, lag. */
  async status(sourceId: string) {
    const [row] = await new SourceStatusRepository(this.store).fresh([sourceId]);
    return row;
  }

  /** The subscriber's /metrics text. */
  async metrics(): Promise<string> {
    if (!this.subscriber) throw new Error('no subscriber is running');
    return (await fetch(`${this.subscriber.url}/metrics`)).text();
  }

  private async collectDeadLetters(): Promise<void> {
    const consumer = await collectMessages(
      this.kafka,
      [this.topics.dlq],
      uniqueName(`${this.prefix}-dlq-reader`),
      (message) => this.deadLetters.push(message),
    );
    this.cleanUps.push(() => consumer.disconnect());
  }
}
