import { Redis } from 'ioredis';
import { uniqueName, waitFor } from '../../../../support/kafka';
import { SubscriberBed } from '../subscriber-bed';

const REDIS_PORT = 6379;

/** Redis Streams sources against the Redis server of this machine, a stream of their own per test. */
describe('subscriber: Redis Streams sources', () => {
  const bed = new SubscriberBed('sub-redis');
  const redis = new Redis(REDIS_PORT, '127.0.0.1', { lazyConnect: true });
  const streams: string[] = [];

  beforeAll(async () => {
    await redis.connect();
    await bed.setUp();
  }, 120_000);
  afterAll(async () => {
    await bed.tearDown();
    if (streams.length > 0) await redis.del(...streams);
    redis.disconnect();
  }, 60_000);
  afterEach(() => bed.stopSubscriber(), 60_000);

  function redisSource(id: string, stream: string, port = REDIS_PORT) {
    return {
      id,
      provider: 'redis-stream',
      config: {
        url: `redis://127.0.0.1:${port}`,
        stream,
        startFrom: 'earliest',
        payloadField: 'payload',
        claimIdleMs: 1000,
        type: 'com.example.signup',
      },
    };
  }

  function newStream(): string {
    const stream = uniqueName('flint-test-stream');
    streams.push(stream);
    return stream;
  }

  async function pending(stream: string, group: string): Promise<number> {
    const [count] = (await redis.xpending(stream, group)) as [number];
    return Number(count);
  }

  it('starts a run per entry and acknowledges it, reporting the group lag', async () => {
    const stream = newStream();
    const sourceId = uniqueName('signups');
    const triggerId = await bed.define(redisSource(sourceId, stream));
    const first = await redis.xadd(stream, '*', 'payload', JSON.stringify({ user: 'ada' }));
    await redis.xadd(stream, '*', 'payload', JSON.stringify({ user: 'grace' }), 'origin', 'web');
    await bed.startSubscriber();

    const runs = await bed.waitForSucceededRuns(triggerId, 2, 'two succeeded runs');
    expect(runs.map((run) => run.input)).toEqual(
      expect.arrayContaining([
        { eventId: `${stream}/${first}`, type: 'com.example.signup', data: { user: 'ada' } },
        expect.objectContaining({ data: { user: 'grace' } }),
      ]),
    );
    await waitFor(async () => (await pending(stream, `flint-${sourceId}`)) === 0, {
      description: 'every entry acknowledged',
    });
    const status = await bed.waitForConnection(sourceId, 'up', { withEvent: true });
    expect(status.lag).toBe(0);
  });

  it('sends a bad entry to flint.dlq, acknowledges it, and the next one still flows', async () => {
    const stream = newStream();
    const sourceId = uniqueName('bad-signups');
    const triggerId = await bed.define(redisSource(sourceId, stream));
    const bad = await redis.xadd(stream, '*', 'payload', '{"user":');
    await redis.xadd(stream, '*', 'payload', JSON.stringify({ user: 'linus' }));
    await bed.startSubscriber();

    const dead = await bed.waitForDeadLetter(sourceId);
    expect(dead.value?.toString()).toBe('{"user":');
    expect(dead.headers).toMatchObject({
      flint_dlq_reason: 'undecodable',
      flint_dlq_source_topic: 'redis-stream',
      flint_dlq_origin: `${stream} ${bad}`,
    });
    await bed.waitForSucceededRuns(
      triggerId,
      1,
      'the good entry after the bad one started its run',
    );
    await waitFor(async () => (await pending(stream, `flint-${sourceId}`)) === 0, {
      description: 'the bad entry acknowledged too',
    });
  });

  it('loses nothing and starts one run when killed -9 between Kafka ack and XACK', async () => {
    const stream = newStream();
    const sourceId = uniqueName('crash-signups');
    const triggerId = await bed.define(redisSource(sourceId, stream));
    const id = await redis.xadd(stream, '*', 'payload', JSON.stringify({ user: 'barbara' }));

    // Another consumer (a new replica id) claims the dead one's entry once it is idle.
    const [event] = await bed.expectOneRunAfterKill(
      'redis-stream',
      sourceId,
      triggerId,
      async () => {
        expect(await pending(stream, `flint-${sourceId}`)).toBe(1);
      },
    );
    expect(event.id).toBe(`${stream}/${id}`);
    await waitFor(async () => (await pending(stream, `flint-${sourceId}`)) === 0, {
      description: 'the claimed entry acknowledged',
      timeoutMs: 60_000,
    });
  });

  it('reconnects after the connection to Redis drops, and resumes', async () => {
    const stream = newStream();
    await bed.expectResumeAfterDrop(
      REDIS_PORT,
      async (port) => {
        const sourceId = uniqueName('dropped-signups');
        const triggerId = await bed.define(redisSource(sourceId, stream, port));
        return { sourceId, triggerId };
      },
      () => redis.xadd(stream, '*', 'payload', JSON.stringify({ user: 'while-down' })),
    );
  });
});
