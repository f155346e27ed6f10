import { appendFile, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEvent, FileEventData } from '@flint/contracts';
import { ProviderService } from '@flint/provider-sdk';
import type { RunningService } from '@flint/service-kit';
import { FileWatcherModule } from '../../../../apps/providers/file-watcher/src/file-watcher.module';
import { uniqueName, waitFor } from '../../../support/kafka';
import { postgresAvailable } from '../../../support/postgres';
import {
  type EventCollector,
  ProviderFixture,
  sourceMetric,
  stored,
  waitForFailures,
  waitForStatus,
} from '../../../support/provider-fixture';

/** Two replicas need a database they can share: PostgreSQL, not the embedded one. */
const itWithPostgres = postgresAvailable() ? it : it.skip;

function fileSource(id: string, directory: string, config: Record<string, unknown> = {}) {
  return stored({
    kind: 'source',
    id,
    provider: 'file',
    config: {
      directory,
      events: ['created', 'modified', 'deleted'],
      stableForMs: 300,
      ...config,
    },
  });
}

const summary = (events: CloudEvent[]) =>
  events.map((event) => {
    const data = event.data as FileEventData;
    return `${data.event} ${data.path}`;
  });

/**
 * At a source's first start the files found are recorded, not announced; the record is written once
 * the watcher is ready and the initial scan done, so from then on every new file is announced.
 */
async function waitUntilLive(service: RunningService, id: string): Promise<void> {
  await waitFor(
    async () => {
      const rows = await service.runtime.store.query(
        `SELECT 1 FROM provider_state WHERE provider = 'file' AND source_id = $1 AND key = 'directory'`,
        [id],
      );
      return rows.length === 1;
    },
    { description: `the watch of ${id} live` },
  );
}

function running(service: RunningService, id: string): boolean {
  return service.app
    .get(ProviderService)
    .statuses()
    .some((status) => status.id === id && status.state === 'running');
}

describe('file-watcher service', () => {
  let fixture: ProviderFixture;
  let collector: EventCollector;
  let dir: string;

  beforeAll(async () => {
    fixture = await ProviderFixture.create('files');
    collector = await fixture.collect();
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flint-files-'));
  });

  afterEach(async () => {
    await fixture.reset();
    await rm(dir, { recursive: true, force: true });
  });

  afterAll(() => fixture?.close());

  const startWatcher = () =>
    fixture.start('file-watcher', (runtime) => FileWatcherModule.forRuntime(runtime));

  async function startWatching(id: string, config: Record<string, unknown> = {}) {
    await fixture.publish(fileSource(id, dir, config));
    const service = await startWatcher();
    await waitUntilLive(service, id);
    return service;
  }

  it('shows a missing folder as failing with the reason, and up once the folder exists', async () => {
    const id = uniqueName('missing-folder');
    const folder = join(dir, 'not-yet');
    await fixture.publish(fileSource(id, folder));
    const service = await startWatcher();
    const failing = await waitForFailures(service, id, 2);
    expect(failing.lastError).toBe(`${folder} is not a directory`);

    await mkdir(folder);
    const recovered = await waitForStatus(
      service,
      id,
      (s) => s.state === 'running' && s.consecutiveFailures === 0,
      'the folder watched',
    );
    expect(recovered.lastSuccessAt).toEqual(expect.any(Date));
    expect(recovered.lastError).toBe(failing.lastError);
    expect(await sourceMetric(service, 'flint_source_up', id)).toBe(1);
  });

  it('announces only files matching one of several globs and none of the excluded', async () => {
    const id = uniqueName('globs');
    await mkdir(join(dir, 'in', 'tmp'), { recursive: true });
    await startWatching(id, {
      events: ['created'],
      pattern: ['**/*.csv', 'reports/*.pdf'],
      exclude: '**/tmp/**',
    });
    await mkdir(join(dir, 'reports'));
    for (const path of ['in/a.csv', 'in/b.json', 'in/tmp/c.csv', 'reports/q1.pdf', 'q2.pdf']) {
      await writeFile(join(dir, path), path);
    }
    await collector.until(() => collector.ofSource(id).length >= 2, 'the two matching files');
    // A file written after the others is a marker: once it is announced, the rest were decided.
    await writeFile(join(dir, 'last.csv'), 'marker');
    await collector.until(() => collector.ofSource(id).length >= 3, 'the marker file');
    expect(summary(collector.ofSource(id)).sort()).toEqual([
      'created in/a.csv',
      'created last.csv',
      'created reports/q1.pdf',
    ]);
  });

  it('announces created, changed and deleted files with path, size and mtime', async () => {
    const id = uniqueName('files');
    await mkdir(join(dir, 'in'));
    await startWatching(id);
    await writeFile(join(dir, 'in', 'a.csv'), 'one');
    await collector.until(() => collector.ofSource(id).length >= 1, 'the created event');
    await appendFile(join(dir, 'in', 'a.csv'), ',two');
    await collector.until(() => collector.ofSource(id).length >= 2, 'the modified event');
    await unlink(join(dir, 'in', 'a.csv'));
    await collector.until(() => collector.ofSource(id).length >= 3, 'the deleted event');

    const events = collector.ofSource(id);
    expect(summary(events)).toEqual(['created in/a.csv', 'modified in/a.csv', 'deleted in/a.csv']);
    const created = events[0].data as FileEventData;
    expect(events[0]).toMatchObject({
      type: 'flint.file.created',
      subject: 'in/a.csv',
      flintprovider: 'file',
      id: `in/a.csv:3:${Date.parse(created.modifiedAt)}`,
    });
    expect(created).toMatchObject({ directory: dir, size: 3 });
    expect((events[1].data as FileEventData).size).toBe(7);
    expect(events[2].id).toMatch(/^in\/a\.csv:7:\d+:deleted$/);
  });

  it('announces a file being written only once it stopped growing', async () => {
    const id = uniqueName('stable');
    await startWatching(id, { stableForMs: 1000, events: ['created'] });
    const path = join(dir, 'slow.bin');
    await writeFile(path, 'x');
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await appendFile(path, 'xxxx');
    }
    await collector.until(() => collector.ofSource(id).length >= 1, 'the created event');
    // Well past another stability period: nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const events = collector.ofSource(id);
    expect(summary(events)).toEqual(['created slow.bin']);
    expect((events[0].data as FileEventData).size).toBe(25);
  });

  it('reconciles after a restart: changes made while down are announced once, nothing twice', async () => {
    const id = uniqueName('restart');
    await writeFile(join(dir, 'kept.txt'), 'k');
    await writeFile(join(dir, 'changed.txt'), 'c');
    await writeFile(join(dir, 'removed.txt'), 'r');
    let service = await startWatching(id);
    // Existing files are recorded, not announced: a marker file shows the watch is live.
    await writeFile(join(dir, 'marker.txt'), 'm');
    await collector.until(() => collector.ofSource(id).length >= 1, 'the marker');
    await fixture.stopService(service);

    await writeFile(join(dir, 'new.txt'), 'n');
    await writeFile(join(dir, 'changed.txt'), 'changed');
    await unlink(join(dir, 'removed.txt'));
    service = await startWatcher();
    await collector.until(() => collector.ofSource(id).length >= 4, 'three reconciled changes');
    await fixture.stopService(service);

    service = await startWatcher();
    await waitFor(() => running(service, id), { description: 'the third start running' });
    await writeFile(join(dir, 'marker-2.txt'), 'm');
    await collector.until(() => collector.ofSource(id).length >= 5, 'the second marker');
    expect(summary(collector.ofSource(id)).sort()).toEqual([
      'created marker-2.txt',
      'created marker.txt',
      'created new.txt',
      'deleted removed.txt',
      'modified changed.txt',
    ]);
  });

  it('falls back to polling the file system when asked', async () => {
    const id = uniqueName('polling');
    await startWatching(id, { usePolling: true, pollIntervalMs: 100, stableForMs: 200 });
    await writeFile(join(dir, 'polled.txt'), 'p');
    await collector.until(() => collector.ofSource(id).length >= 1, 'the created event');
    expect(summary(collector.ofSource(id))).toEqual(['created polled.txt']);
  });

  it('turns a burst of 10,000 files into exactly 10,000 events', async () => {
    const id = uniqueName('burst');
    const count = 10_000;
    await startWatching(id, { stableForMs: 500, events: ['created'] });
    for (let i = 0; i < count; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, count - i) }, (_, j) =>
          writeFile(join(dir, `file-${String(i + j).padStart(5, '0')}.dat`), `payload ${i + j}`),
        ),
      );
    }
    await collector.until(() => collector.ofSource(id).length >= count, `${count} events`, 150_000);
    // Let a few more stability periods pass: no duplicates may follow.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const events = collector.ofSource(id);
    expect(events).toHaveLength(count);
    expect(new Set(events.map((event) => event.subject)).size).toBe(count);
  }, 180_000);

  itWithPostgres(
    'watches a folder on one replica at a time, taken over when it stops',
    async () => {
      const id = uniqueName('one-replica');
      await fixture.publish(fileSource(id, dir, { events: ['created'] }));
      const [a, b] = await Promise.all([startWatcher(), startWatcher()]);
      const holder = await waitFor(() => (running(a, id) ? a : running(b, id) ? b : undefined), {
        description: 'one replica running the watch',
      });
      const other = holder === a ? b : a;
      await waitUntilLive(holder, id);
      for (let i = 0; i < 50; i++) await writeFile(join(dir, `first-${i}.txt`), String(i));
      await collector.until(() => collector.ofSource(id).length >= 50, '50 events');
      expect(running(other, id)).toBe(false);

      await fixture.stopService(holder);
      await waitFor(() => running(other, id), {
        description: 'the other replica taking the watch over',
      });
      for (let i = 0; i < 10; i++) await writeFile(join(dir, `second-${i}.txt`), String(i));
      await collector.until(() => collector.ofSource(id).length >= 60, '60 events');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(new Set(collector.ofSource(id).map((event) => event.id)).size).toBe(60);
      expect(collector.ofSource(id)).toHaveLength(60);
    },
  );
});
