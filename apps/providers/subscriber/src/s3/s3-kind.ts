import {
  globList,
  MAX_STREAM_MESSAGE_BYTES,
  type S3Config,
  s3EventType,
  type S3ObjectEventData,
} from '@flint/contracts';
import { type OwnedSecrets, type SourceOf } from '@flint/provider-sdk';
import { ProviderStateRepository, type Store } from '@flint/store';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { minimatch } from 'minimatch';
import type { Delivery } from '../subscription/delivery';
import type { MessageSettings } from '../subscription/message-translator';
import type { StreamKind, StreamSession } from '../subscription/stream-kind';
import { diffListing, type ListedObject, type ObjectChange } from './listing-diff';

export type S3Settings = S3Config & MessageSettings;
type Session = StreamSession<'s3', S3Settings>;

/** Provider-state keys: one per known object, and a marker that the bucket was listed once. */
const OBJECT_KEY = 'object:';
const LISTED = 'listed';
/** Changes published (and then recorded) at a time. */
const CHUNK = 100;
const GLOB_OPTIONS = { dot: true } as const;

/**
 * An S3-compatible bucket, listed every `pollIntervalMs` by one replica (exclusive). The objects Flint
 * knows (key, ETag, size) are kept in provider state; each listing is compared with them, and the
 * objects created, changed or deleted since become events — also what happened while Flint was down.
 * A chunk of changes is published first and recorded after: a crash in between finds the same
 * changes again, with the same ids (`<bucket>/<key>@<etag>/<last modified>`), which collapse into
 * their runs.
 *
 * It runs in the subscriber rather than the file watcher: it is a remote service reached with
 * credentials that fails and recovers like the other upstreams, and it wants the same status,
 * reconnect backoff and dead letters; the file watcher is about local folders and their native events.
 */
export class S3Kind implements StreamKind<'s3', S3Settings> {
  readonly kind = 's3';
  readonly exclusive = true;

  validate(config: S3Config): S3Settings {
    return {
      ...config,
      format: 'json',
      type: s3EventType('created'),
      maxMessageBytes: MAX_STREAM_MESSAGE_BYTES,
    };
  }

  async consume(session: Session): Promise<void> {
    const { config, signal, store, clock } = session.ctx;
    // Loaded when a source of this kind starts, not with the service: the upstream clients weigh
    // 10–30 MB each and most stacks use one kind or none.
    const { S3Client } = await import('@aws-sdk/client-s3');
    const client = new S3Client(await clientConfig(config, session.ctx.secrets));
    const state = new ProviderStateRepository(store, this.kind);
    try {
      let connected = false;
      while (!signal.aborted) {
        const current = await listBucket(client, config, signal);
        if (!connected) {
          session.connected();
          connected = true;
        }
        await this.reconcile(session, state, current);
        await clock.sleep(config.pollIntervalMs, signal);
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      client.destroy();
    }
  }

  async retire(source: SourceOf<'s3'>, store: Store): Promise<void> {
    await new ProviderStateRepository(store, this.kind).delete(source.id);
  }

  private async reconcile(
    session: Session,
    state: ProviderStateRepository,
    current: ReadonlyMap<string, ListedObject>,
  ): Promise<void> {
    const { config, source } = session.ctx;
    const stored = await state.entries(source.id);
    const previous = new Map<string, ListedObject>();
    for (const [key, value] of stored) {
      if (key.startsWith(OBJECT_KEY))
        previous.set(key.slice(OBJECT_KEY.length), value as ListedObject);
    }
    const firstListing = !stored.has(LISTED);
    const changes = diffListing(previous, current);
    for (let start = 0; start < changes.length; start += CHUNK) {
      const chunk = changes.slice(start, start + CHUNK);
      const announced =
        firstListing && !config.emitExisting
          ? []
          : chunk.filter((c) => config.events.includes(c.event));
      await session.deliver(announced.map((change) => deliveryOf(config, change)));
      await record(state, source.id, chunk);
    }
    if (firstListing) await state.put(source.id, LISTED, true);
  }
}

async function record(
  state: ProviderStateRepository,
  sourceId: string,
  changes: readonly ObjectChange[],
) {
  const kept = changes.filter((c) => c.event !== 'deleted');
  const gone = changes.filter((c) => c.event === 'deleted');
  if (kept.length > 0) {
    await state.putMany(
      sourceId,
      kept.map((c) => [OBJECT_KEY + c.key, c.object] as const),
    );
  }
  if (gone.length > 0)
    await state.delete(
      sourceId,
      gone.map((c) => OBJECT_KEY + c.key),
    );
}

async function clientConfig(config: S3Config, secrets: OwnedSecrets): Promise<S3ClientConfig> {
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
    maxAttempts: 2,
    ...(config.accessKeyId && config.secretAccessKey
      ? {
          credentials: {
            accessKeyId: await secrets.resolve(config.accessKeyId.secretRef),
            secretAccessKey: await secrets.resolve(config.secretAccessKey.secretRef),
          },
        }
      : {}),
  };
}

/** Every object under the prefix whose relative key the globs take, by key. */
async function listBucket(
  client: S3Client,
  config: S3Config,
  signal: AbortSignal,
): Promise<Map<string, ListedObject>> {
  const patterns = globList(config.pattern);
  const exclude = globList(config.exclude);
  const prefix = config.prefix ?? '';
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const objects = new Map<string, ListedObject>();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: config.bucket,
        Prefix: prefix || undefined,
        ContinuationToken: token,
      }),
      { abortSignal: signal },
    );
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue;
      const relative = item.Key.slice(prefix.length);
      if (!patterns.some((glob) => minimatch(relative, glob, GLOB_OPTIONS))) continue;
      if (exclude.some((glob) => minimatch(relative, glob, GLOB_OPTIONS))) continue;
      objects.set(item.Key, {
        etag: (item.ETag ?? '').replace(/"/g, ''),
        size: item.Size ?? 0,
        ...(item.LastModified ? { lastModified: item.LastModified.toISOString() } : {}),
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

function deliveryOf(config: S3Config, change: ObjectChange): Delivery {
  const data: S3ObjectEventData = {
    event: change.event,
    bucket: config.bucket,
    key: change.key,
    etag: change.object.etag,
    size: change.object.size,
    ...(change.object.lastModified ? { lastModified: change.object.lastModified } : {}),
  };
  // The modification time too: the same content uploaded again after a delete is a new object.
  const version = `${config.bucket}/${change.key}@${change.object.etag}/${change.object.lastModified ?? ''}`;
  return {
    body: Buffer.from(JSON.stringify(data)),
    headers: {},
    identity: change.event === 'deleted' ? `${version}#deleted` : version,
    type: s3EventType(change.event),
    subject: change.key,
    ...(change.object.lastModified ? { time: new Date(change.object.lastModified) } : {}),
    origin: `s3://${config.bucket}/${change.key}`,
  };
}
