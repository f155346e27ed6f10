import { uniqueName } from '../../../../support/kafka';
import { SubscriberBed } from '../subscriber-bed';
import { SseServer } from './sse-server';

/** Server-Sent Events sources against an SSE server the test starts. */
describe('subscriber: Server-Sent Events sources', () => {
  const bed = new SubscriberBed('sub-sse');
  let server: SseServer;

  beforeAll(() => bed.setUp(), 120_000);
  afterAll(() => bed.tearDown(), 60_000);
  beforeEach(async () => {
    server = new SseServer();
    await server.start();
  });
  afterEach(async () => {
    await bed.stopSubscriber();
    await server.stop();
  }, 60_000);

  function sseSource(id: string) {
    return { id, provider: 'sse', config: { url: server.url, type: 'com.example.update' } };
  }

  it('starts a run per event, its SSE name the type and its SSE id the event id', async () => {
    const sourceId = uniqueName('sse-orders');
    const triggerId = await bed.define(sseSource(sourceId));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    server.send({ id: 'evt-1', event: 'order.created', data: JSON.stringify({ order: 1 }) });
    server.send({ id: 'evt-2', data: JSON.stringify({ note: 'unnamed' }) });

    const runs = await bed.waitForSucceededRuns(triggerId, 2, 'two succeeded runs');
    expect(runs.map((run) => run.input)).toEqual(
      expect.arrayContaining([
        { eventId: 'evt-1', type: 'order.created', data: { order: 1 } },
        { eventId: 'evt-2', type: 'com.example.update', data: { note: 'unnamed' } },
      ]),
    );
  });

  it('resumes with Last-Event-ID after the connection drops and after a restart', async () => {
    const sourceId = uniqueName('sse-resume');
    const triggerId = await bed.define(sseSource(sourceId));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    server.send({ id: 'a', data: JSON.stringify({ n: 1 }) });
    await bed.waitForSucceededRuns(triggerId, 1, 'the first event');

    server.dropConnections();
    server.send({ id: 'b', data: JSON.stringify({ n: 2 }) });
    await bed.waitForSucceededRuns(triggerId, 2, 'the event sent while the stream was down');
    expect(server.lastEventIds.at(-1)).toBe('a');

    await bed.stopSubscriber();
    server.send({ id: 'c', data: JSON.stringify({ n: 3 }) });
    await bed.startSubscriber();
    await bed.waitForSucceededRuns(triggerId, 3, 'the event sent while Flint was stopped');
    expect(server.lastEventIds.at(-1)).toBe('b');
  });

  it('sends a bad event to flint.dlq, and the next one still flows', async () => {
    const sourceId = uniqueName('sse-bad');
    const triggerId = await bed.define(sseSource(sourceId));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    server.send({ id: 'bad-1', data: 'not { json' });
    server.send({ id: 'good-1', data: JSON.stringify({ ok: true }) });

    const dead = await bed.waitForDeadLetter(sourceId);
    expect(dead.value?.toString()).toBe('not { json');
    expect(dead.headers).toMatchObject({
      flint_dlq_reason: 'undecodable',
      flint_dlq_source_topic: 'sse',
    });
    await bed.waitForSucceededRuns(triggerId, 1, 'the good event after the bad one');
  });

  it('loses nothing and starts one run when killed -9 between Kafka ack and saving Last-Event-ID', async () => {
    // A feed that sends its history to a client with no position: the dying subscriber gets the
    // event, publishes it and dies before saving its id; the next one (still no position) gets it again.
    await server.stop();
    server = new SseServer({ replayWithoutLastEventId: true });
    await server.start();
    server.send({ id: 'crash-1', data: JSON.stringify({ n: 1 }) });
    const sourceId = uniqueName('sse-crash');
    const triggerId = await bed.define(sseSource(sourceId));

    const [event] = await bed.expectOneRunAfterKill('sse', sourceId, triggerId);
    expect(event.id).toBe('crash-1');
    expect(server.lastEventIds).toEqual([undefined, undefined]);
  });
});
