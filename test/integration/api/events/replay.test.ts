import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@flint/contracts';
import { createKafka, EventProducer, kafkaConfigFromEnv } from '@flint/kafka';
import { quietLog, uniqueName, waitFor } from '../../../support/kafka';
import { call, createKey, localTrigger } from '../api-harness';
import { type ArchiveStack, startArchiveStack } from './archive-stack';

const sfx = randomUUID().slice(0, 6);
const owner = `replay-${sfx}`;
const source = `replay-hook-${sfx}`;
const onMain = `replay-main-${sfx}`;
const audit = `replay-audit-${sfx}`;

/**
 * Replay through the whole stack: archived events re-published with fresh ids, marked, offered to
 * every trigger or one, never doubling a run unless asked.
 */
describe('POST /api/events/replay', () => {
  const eventsTopic = uniqueName('replay-events');
  /** A producer writing to the events topic by itself, without the services' signing key. */
  const foreign = new EventProducer(
    createKafka(
      kafkaConfigFromEnv({ ...process.env, KAFKA_EVENT_SIGNING_KEY: '' }, 'replay-foreign'),
      { log: quietLog },
    ),
  );
  let stack: ArchiveStack;
  let since: string;
  let dev: string;
  let main: string;
  const http = (method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call(stack.api, method, path, options);
  const runsOf = async (trigger: string) =>
    (await http('GET', `/api/runs?trigger=${trigger}&limit=100`)).body.items as Array<{
      runId: string;
      eventIds: string[];
    }>;
  const until = () => new Date(Date.now() + 1000).toISOString();

  beforeAll(async () => {
    stack = await startArchiveStack({ FLINT_TOPIC_EVENTS: eventsTopic });
    ({ since, dev, main } = await stack.pushes(owner, source, onMain));
    await waitFor(async () => (await runsOf(onMain)).length === 1, {
      timeoutMs: 60_000,
      description: 'the push to main to start its run',
    });
  });

  afterAll(async () => {
    await foreign.disconnect();
    await stack?.stop();
  });

  it('replays to every trigger with fresh ids, marked, without doubling the run', async () => {
    const replayed = await http('POST', '/api/events/replay', {
      body: { since, until: until(), source },
    });
    expect(replayed.status).toBe(200);
    expect(replayed.body.skipped).toBe(0);
    expect(replayed.body.more).toBe(false);
    const pairs = replayed.body.replayed as Array<{ originalId: string; eventId: string }>;
    expect(pairs.map((pair) => pair.originalId)).toEqual([dev, main]);
    for (const { originalId, eventId } of pairs) expect(eventId).not.toBe(originalId);

    const [devAgain, mainAgain] = await Promise.all(
      pairs.map(({ eventId }) => stack.archived(eventId)),
    );
    expect(devAgain).toMatchObject({
      replayOf: dev,
      event: { flintreplayof: dev, data: { ref: 'refs/heads/dev' } },
      decisions: [{ triggerId: onMain, outcome: 'condition_false' }],
    });
    // The original fired the trigger: its replay is not offered to it again.
    expect(mainAgain).toMatchObject({ replayOf: main, fired: [], decisions: [] });
    expect(await runsOf(onMain)).toHaveLength(1);

    const listed = await http('GET', `/api/events?source=${source}&since=${since}`);
    const replayOfs = listed.body.items.map((e: { replayOf?: string }) => e.replayOf);
    expect(replayOfs).toEqual(expect.arrayContaining([dev, main]));
  });

  it('replays to one trigger after a fix, skipping what it already fired, and reruns when asked', async () => {
    // A fixed trigger: every branch fires it now, and a second trigger that fires on anything.
    const fixed = await http('PUT', '/api/definitions', {
      body: {
        definitions: [
          localTrigger(onMain, [source], {
            owner,
            condition: "event.data.ref.startsWith('refs/heads/')",
          }),
          localTrigger(audit, [source], { owner }),
        ],
      },
    });
    expect(fixed.status).toBe(200);
    await waitFor(
      async () => {
        const probe = await stack.post(source, { ref: `refs/probe/${randomUUID()}` });
        const decisions = (await stack.archived(probe)).decisions as Array<{
          triggerId: string;
          triggerVersion: number;
        }>;
        return decisions.some((d) => d.triggerId === onMain && d.triggerVersion === 2);
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'the evaluator to apply the fix' },
    );

    const toOne = await http('POST', '/api/events/replay', {
      body: {
        since,
        until: until(),
        source,
        trigger: onMain,
        filter: "event.data.ref.startsWith('refs/heads/')",
      },
    });
    expect(toOne.status).toBe(200);
    // Only the push to dev is replayed: the push to main already fired this trigger.
    expect(toOne.body.replayed.map((p: { originalId: string }) => p.originalId)).toEqual([dev]);
    expect(toOne.body.skipped).toBe(1);
    const devReplay = await stack.archived(toOne.body.replayed[0].eventId);
    // Offered to the one trigger only: the audit trigger does not see it.
    expect(devReplay.decisions).toEqual([
      expect.objectContaining({ triggerId: onMain, outcome: 'matched' }),
    ]);
    await waitFor(async () => (await runsOf(onMain)).length === 2, {
      timeoutMs: 60_000,
      description: 'the replayed push to dev to start a run',
    });

    const rerun = await http('POST', '/api/events/replay', {
      body: {
        since,
        until: until(),
        source,
        trigger: onMain,
        rerun: true,
        filter: `event.id == '${main}'`,
      },
    });
    expect(rerun.body.replayed.map((p: { originalId: string }) => p.originalId)).toEqual([main]);
    await waitFor(async () => (await runsOf(onMain)).length === 3, {
      timeoutMs: 60_000,
      description: 'the rerun of the push to main to start a new run',
    });
    const runs = await runsOf(onMain);
    expect(runs.filter((run) => run.eventIds.includes(main))).toHaveLength(1);
    expect(
      runs.filter((run) => run.eventIds.includes(rerun.body.replayed[0].eventId)),
    ).toHaveLength(1);
  });

  it('replays an event no Flint service vouched for without vouching for it', async () => {
    const orderType = `com.example.order.${sfx}`;
    const onOrder = `replay-order-${sfx}`;
    const created = await http('POST', '/api/triggers', {
      body: {
        kind: 'trigger',
        id: onOrder,
        owner,
        eventTypes: [orderType],
        target: { type: 'local', workflow: 'echo' },
      },
    });
    expect(created.status).toBe(201);
    const editor = await createKey(stack.api, `editor-${sfx}`, 'editor', owner);
    // The owner's orders, published by the api (signed), reach the trigger once it is known.
    const signed = await waitFor(
      async () => {
        const posted = await http('POST', '/api/events', {
          body: { type: orderType, data: { order: 1 } },
          key: editor,
        });
        const archived = await stack.archived(posted.body.eventId);
        return (archived.fired as string[]).includes(onOrder) ? archived : false;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: 'the evaluator to know the trigger' },
    );
    // The same order from the foreign producer: its claimed owner is not believed.
    const forged: CloudEvent = {
      ...(signed.event as CloudEvent),
      id: `forged-${sfx}`,
      flintacceptedat: new Date().toISOString(),
    };
    await foreign.publishEvents(eventsTopic, [forged]);
    expect(await stack.archived(forged.id)).toMatchObject({ fired: [], decisions: [] });

    const replayed = await http('POST', '/api/events/replay', {
      body: { since, until: until(), filter: `event.id == '${forged.id}'` },
    });
    expect(replayed.status).toBe(200);
    const [pair] = replayed.body.replayed as Array<{ originalId: string; eventId: string }>;
    expect(pair?.originalId).toBe(forged.id);
    // Published by the api, the replay is still a foreign producer's event: it reaches no
    // trigger, and is archived as a replay.
    expect(await stack.archived(pair!.eventId)).toMatchObject({
      replayOf: forged.id,
      fired: [],
      decisions: [],
    });
  });

  it('refuses bad requests and keeps keys to their owner', async () => {
    const backwards = await http('POST', '/api/events/replay', {
      body: { since: until(), until: since },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.issues[0].path).toBe('until');
    const noRange = await http('POST', '/api/events/replay', { body: { source } });
    expect(noRange.status).toBe(400);
    const badFilter = await http('POST', '/api/events/replay', {
      body: { since, until: until(), filter: 'event.data ==' },
    });
    expect(badFilter.status).toBe(400);
    const unknownTrigger = await http('POST', '/api/events/replay', {
      body: { since, until: until(), trigger: `nope-${sfx}` },
    });
    expect(unknownTrigger.status).toBe(404);
    const viewer = await createKey(stack.api, `viewer-${sfx}`, 'viewer', owner);
    const asViewer = await http('POST', '/api/events/replay', {
      body: { since, until: until() },
      key: viewer,
    });
    expect(asViewer.status).toBe(403);
    const stranger = await createKey(stack.api, `stranger-${sfx}`, 'editor', `other-${sfx}`);
    const asStranger = await http('POST', '/api/events/replay', {
      body: { since, until: until(), source },
      key: stranger,
    });
    expect(asStranger.status).toBe(200);
    expect(asStranger.body.replayed).toEqual([]);
  });
});
