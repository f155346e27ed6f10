import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { uniqueName } from '../../../../support/kafka';
import { SubscriberBed } from '../subscriber-bed';

/**
 * Object-storage sources against s3rver, an S3-compatible server the test starts, written to with
 * the AWS SDK's own client, as a user's application would.
 */
describe('subscriber: object-storage (S3) sources', () => {
  const bed = new SubscriberBed('sub-s3');
  let directory: string;
  let server: S3rver;
  let port: number;
  let s3: S3Client;

  async function startServer(): Promise<void> {
    server = new S3rver({ address: '127.0.0.1', port, silent: true, directory });
    port = (await server.run()).port;
  }

  beforeAll(async () => {
    process.env.FLINT_SECRET_S3_ACCESS_KEY = 'S3RVER';
    process.env.FLINT_SECRET_S3_SECRET_KEY = 'S3RVER';
    directory = await mkdtemp(join(tmpdir(), 'flint-s3rver-'));
    port = 0;
    await startServer();
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await bed.setUp();
  }, 120_000);
  afterAll(async () => {
    await bed.tearDown();
    s3.destroy();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  }, 60_000);
  afterEach(() => bed.stopSubscriber(), 60_000);

  async function newBucket(): Promise<string> {
    const bucket = uniqueName('flint-test');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  }

  function s3Source(id: string, bucket: string) {
    return {
      id,
      provider: 's3',
      config: {
        bucket,
        prefix: 'in/',
        pattern: '**/*.csv',
        events: ['created', 'changed', 'deleted'],
        endpoint: `http://127.0.0.1:${port}`,
        accessKeyId: { secretRef: 's3-access-key' },
        secretAccessKey: { secretRef: 's3-secret-key' },
        pollIntervalMs: 1000,
      },
    };
  }

  const put = (bucket: string, key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const remove = (bucket: string, key: string) =>
    s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

  it('announces objects created, changed and deleted, not those already there or filtered out', async () => {
    const bucket = await newBucket();
    await put(bucket, 'in/existing.csv', 'old');
    const sourceId = uniqueName('s3-invoices');
    const triggerId = await bed.define(s3Source(sourceId, bucket));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');

    await put(bucket, 'in/a.csv', 'one');
    await put(bucket, 'in/skip.txt', 'not a csv');
    await put(bucket, 'elsewhere/b.csv', 'outside the prefix');
    await bed.waitForSucceededRuns(triggerId, 1, 'the created object');
    await put(bucket, 'in/a.csv', 'two');
    await bed.waitForSucceededRuns(triggerId, 2, 'the changed object');
    await remove(bucket, 'in/a.csv');
    const runs = await bed.waitForSucceededRuns(triggerId, 3, 'the deleted object');

    expect(runs.map((run) => (run.input as { type: string }).type)).toEqual([
      'flint.s3.object.created',
      'flint.s3.object.changed',
      'flint.s3.object.deleted',
    ]);
    expect(runs[0].input).toMatchObject({
      data: { event: 'created', bucket, key: 'in/a.csv', size: 3 },
    });
  });

  it('finds what changed while it was stopped', async () => {
    const bucket = await newBucket();
    await put(bucket, 'in/kept.csv', 'kept');
    await put(bucket, 'in/gone.csv', 'gone');
    const sourceId = uniqueName('s3-downtime');
    const triggerId = await bed.define(s3Source(sourceId, bucket));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up', { withEvent: false });
    await bed.stopSubscriber();

    await remove(bucket, 'in/gone.csv');
    await put(bucket, 'in/new.csv', 'new');
    await bed.startSubscriber();
    const runs = await bed.waitForSucceededRuns(triggerId, 2, 'the changes made while stopped');
    expect(runs.map((run) => (run.input as { data: { key: string } }).data.key).sort()).toEqual([
      'in/gone.csv',
      'in/new.csv',
    ]);
  });

  it('loses nothing and starts one run when killed -9 between Kafka ack and saving the listing', async () => {
    const bucket = await newBucket();
    const sourceId = uniqueName('s3-crash');
    const triggerId = await bed.define(s3Source(sourceId, bucket));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    await bed.stopSubscriber();
    await put(bucket, 'in/crash.csv', 'data');

    const [event] = await bed.expectOneRunAfterKill('s3', sourceId, triggerId);
    expect(event.type).toBe('flint.s3.object.created');
  });

  it('reconnects when the server restarts, and resumes', async () => {
    const bucket = await newBucket();
    const sourceId = uniqueName('s3-restart');
    const triggerId = await bed.define(s3Source(sourceId, bucket));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');

    await server.close();
    await bed.waitForConnection(sourceId, 'reconnecting');
    await startServer();
    await put(bucket, 'in/after-restart.csv', 'back');
    await bed.waitForSucceededRuns(triggerId, 1, 'the object put after the restart');
    await bed.waitForConnection(sourceId, 'up');
  });
});
