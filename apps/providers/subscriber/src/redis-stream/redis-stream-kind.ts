import type { RedisStreamConfig } from '@flint/contracts';
import type { Redis } from 'ioredis';
import type { Delivery } from '../subscription/delivery';
import type { StreamKind, StreamSession } from '../subscription/stream-kind';

/** How long one XREADGROUP waits for new entries before the loop looks around (claims, lag). */
const BLOCK_MS = 2000;

type Session = StreamSession<'redis-stream', RedisStreamConfig>;
/** An entry as Redis returns it: its id and its fields as name, value, name, value… */
type RawEntry = [id: Buffer, fields: Buffer[] | null];

/**
 * A Redis stream read by a consumer group. Each replica is a consumer of the group (named by its
 * replica id), so the source is not exclusive; an entry is acknowledged with XACK only after its
 * event is in Flint's Kafka. Entries a consumer took and never acknowledged (it died) stay pending
 * and are claimed with XAUTOCLAIM by a live one once idle for `claimIdleMs`; they keep their ids
 * (`<stream>/<entry id>`) and so collapse into the runs they already started.
 */
export class RedisStreamKind implements StreamKind<'redis-stream', RedisStreamConfig> {
  readonly kind = 'redis-stream';

  validate(config: RedisStreamConfig): RedisStreamConfig {
    return config;
  }

  async consume(session: Session): Promise<void> {
    const { config, signal, source, replicaId } = session.ctx;
    const group = config.group ?? `flint-${source.id}`;
    // Loaded when a source of this kind starts, not with the service: the upstream clients weigh
    // 10–30 MB each and most stacks use one kind or none.
    const { Redis } = await import('ioredis');
    const redis = new Redis(config.url, {
      lazyConnect: true,
      // The subscriber reconnects with its own backoff and reports it; ioredis must not hide it.
      retryStrategy: () => null,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 10_000,
      connectionName: `flint-${source.id}`,
      ...(config.password
        ? { password: await session.ctx.secrets.resolve(config.password.secretRef) }
        : {}),
    });
    redis.on('error', () => undefined);
    const closed = new Promise<never>((_, reject) =>
      redis.once('end', () => reject(new Error('the connection to Redis closed'))),
    );
    closed.catch(() => undefined);
    const stop = () => redis.disconnect();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await redis.connect();
      await ensureGroup(redis, config.stream, group, config.startFrom);
      session.connected();
      await this.resumeOwnPending(session, redis, group, replicaId);
      let claimedAt = 0;
      while (!signal.aborted) {
        if (Date.now() - claimedAt >= config.claimIdleMs / 2) {
          await this.claimIdle(session, redis, group, replicaId);
          claimedAt = Date.now();
        }
        const read = (await Promise.race([
          redis.callBuffer(
            'XREADGROUP',
            'GROUP',
            group,
            replicaId,
            'COUNT',
            config.batchSize,
            'BLOCK',
            BLOCK_MS,
            'STREAMS',
            config.stream,
            '>',
          ),
          closed,
        ])) as Array<[Buffer, RawEntry[]]> | null;
        await this.handle(session, redis, group, read?.[0]?.[1] ?? []);
        session.lag(await groupLag(redis, config.stream, group));
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      signal.removeEventListener('abort', stop);
      redis.disconnect();
    }
  }

  /** Entries this consumer took before its connection dropped, unacknowledged: publish them first. */
  private async resumeOwnPending(session: Session, redis: Redis, group: string, consumer: string) {
    const { config, signal } = session.ctx;
    while (!signal.aborted) {
      const read = (await redis.callBuffer(
        'XREADGROUP',
        'GROUP',
        group,
        consumer,
        'COUNT',
        config.batchSize,
        'STREAMS',
        config.stream,
        '0',
      )) as Array<[Buffer, RawEntry[]]> | null;
      const entries = read?.[0]?.[1] ?? [];
      if (entries.length === 0) return;
      await this.handle(session, redis, group, entries);
    }
  }

  /** Takes over entries other consumers left pending for `claimIdleMs`, and publishes them. */
  private async claimIdle(session: Session, redis: Redis, group: string, consumer: string) {
    const { config } = session.ctx;
    let cursor = '0-0';
    do {
      const [next, entries] = (await redis.callBuffer(
        'XAUTOCLAIM',
        config.stream,
        group,
        consumer,
        config.claimIdleMs,
        cursor,
        'COUNT',
        config.batchSize,
      )) as [Buffer, RawEntry[]];
      cursor = next.toString();
      await this.handle(session, redis, group, entries);
    } while (cursor !== '0-0' && !session.ctx.signal.aborted);
  }

  private async handle(session: Session, redis: Redis, group: string, entries: RawEntry[]) {
    if (entries.length === 0) return;
    const { config } = session.ctx;
    // An entry deleted from the stream while pending comes back without fields: nothing to publish.
    const present = entries.filter((entry): entry is [Buffer, Buffer[]] => entry[1] !== null);
    await session.deliver(present.map(([id, fields]) => deliveryOf(config, id.toString(), fields)));
    await redis.xack(config.stream, group, ...entries.map(([id]) => id));
  }
}

async function ensureGroup(
  redis: Redis,
  stream: string,
  group: string,
  startFrom: RedisStreamConfig['startFrom'],
): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, startFrom === 'earliest' ? '0' : '$', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
  }
}

/** Entries of the stream the group has not read yet (Redis 7's XINFO GROUPS `lag`), when known. */
async function groupLag(redis: Redis, stream: string, group: string): Promise<number> {
  const groups = (await redis.call('XINFO', 'GROUPS', stream)) as unknown[][];
  for (const info of groups) {
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
    if (fields.get('name') === group) return Number(fields.get('lag') ?? 0) || 0;
  }
  return 0;
}

function deliveryOf(config: RedisStreamConfig, id: string, fields: Buffer[]): Delivery {
  const values = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i].toString(), fields[i + 1]);
  const headers: Record<string, string> = {};
  let body: Buffer;
  if (config.payloadField === undefined) {
    body = Buffer.from(
      JSON.stringify(
        Object.fromEntries([...values].map(([name, value]) => [name, value.toString()])),
      ),
    );
  } else {
    body = values.get(config.payloadField) ?? Buffer.alloc(0);
    for (const [name, value] of values) {
      if (name !== config.payloadField) headers[name] = value.toString();
    }
  }
  const millis = Number(id.split('-')[0]);
  return {
    body,
    headers,
    identity: `${config.stream}/${id}`,
    subject: config.stream,
    ...(Number.isFinite(millis) ? { time: new Date(millis) } : {}),
    origin: `${config.stream} ${id}`,
  };
}
