import {
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
  unlinkSync,
  appendFileSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@flint/common/testing';
import { FileConfigSchema } from '@flint/contracts';
import type { EmitInput } from '@flint/provider-sdk';
import type { StartWatcher, WatchHandlers } from './directory-watcher';
import { type FileVersion, versionOf } from './file-state';
import { DirectoryMissingError, FolderWatch } from './folder-watch';
import { PathFilter } from './path-filter';
import type { SeenFiles, SeenFilesStore } from './seen-files-store';

class MemorySeenStore implements SeenFilesStore {
  directory: string | undefined;
  files = new Map<string, FileVersion>();
  failNextApply = false;

  async load(): Promise<SeenFiles> {
    return { directory: this.directory, files: new Map(this.files) };
  }

  async apply(
    _sourceId: string,
    upserts: ReadonlyArray<{ path: string; version: FileVersion }>,
    deletes: readonly string[],
  ): Promise<void> {
    if (this.failNextApply) {
      this.failNextApply = false;
      throw new Error('database went away');
    }
    for (const { path, version } of upserts) this.files.set(path, version);
    for (const path of deletes) this.files.delete(path);
  }

  async reset(_sourceId: string, directory: string, files: ReadonlyMap<string, FileVersion>) {
    this.directory = directory;
    this.files = new Map(files);
  }
}

/** A watch on a real temporary directory, with the watcher's events delivered by the test. */
class Harness {
  readonly clock = new ManualClock('2024-05-01T10:00:00Z');
  readonly emitted: EmitInput[] = [];
  handlers: WatchHandlers | undefined;
  private controller = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly store = new MemorySeenStore(),
  ) {}

  private readonly startWatcher: StartWatcher = async (_root, _filter, _options, handlers) => {
    this.handlers = handlers;
    return { close: async () => undefined };
  };

  async start(config: Record<string, unknown> = {}, rescanEveryMs?: number): Promise<void> {
    const parsed = FileConfigSchema.parse({
      directory: this.dir,
      events: ['created', 'modified', 'deleted'],
      stableForMs: 1000,
      ...config,
    });
    const watch = new FolderWatch({
      sourceId: 'inbox',
      config: parsed,
      filter: new PathFilter(parsed.pattern, parsed.exclude, parsed.recursive),
      seen: this.store,
      emit: async (events) => {
        this.emitted.push(...events);
      },
      startWatcher: this.startWatcher,
      clock: this.clock,
      log: () => undefined,
      health: { succeeded: () => undefined, failed: () => undefined },
      rescanEveryMs,
    });
    this.controller = new AbortController();
    this.running = watch.run(this.controller.signal);
    this.running.catch(() => undefined);
    await this.idle();
  }

  /** Waits until the watch sleeps between ticks (or has ended). */
  async idle(): Promise<void> {
    let ended = false;
    const end = () => (ended = true);
    this.running?.then(end, end);
    const deadline = Date.now() + 10_000;
    while (this.clock.pendingSleeps === 0 && !ended) {
      if (Date.now() > deadline) throw new Error('the watch never went back to sleep');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  async advance(ms: number): Promise<void> {
    const step = 250;
    for (let moved = 0; moved < ms; moved += step) {
      this.clock.advance(Math.min(step, ms - moved));
      await this.idle();
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running?.catch(() => undefined);
  }

  result(): Promise<void> | undefined {
    return this.running;
  }

  write(name: string, content: string): void {
    writeFileSync(join(this.dir, name), content);
    this.changed(name);
  }

  /** Reports a change as chokidar does, with the file's stats. */
  changed(name: string): void {
    this.handlers?.onFile(name, versionOf(statSync(join(this.dir, name))));
  }

  events(): string[] {
    return this.emitted.map((event) => `${event.type.replace('flint.file.', '')} ${event.subject}`);
  }
}

describe('FolderWatch', () => {
  let dir: string;
  let harness: Harness;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flint-watch-'));
  });

  afterEach(async () => {
    await harness?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the files already there at the first start without announcing them', async () => {
    writeFileSync(join(dir, 'old.csv'), 'x');
    harness = new Harness(dir);
    await harness.start();
    await harness.advance(2000);
    expect(harness.emitted).toEqual([]);
    expect([...harness.store.files.keys()]).toEqual(['old.csv']);
  });

  it('announces the files already there once stable with emitExisting', async () => {
    writeFileSync(join(dir, 'old.csv'), 'x');
    harness = new Harness(dir);
    await harness.start({ emitExisting: true });
    expect(harness.emitted).toEqual([]);
    await harness.advance(1000);
    expect(harness.events()).toEqual(['created old.csv']);
  });

  it('announces a created file once it is stable, then changes and deletion', async () => {
    harness = new Harness(dir);
    await harness.start();
    harness.write('a.csv', 'one');
    await harness.advance(750);
    expect(harness.emitted).toEqual([]);
    await harness.advance(500);
    expect(harness.events()).toEqual(['created a.csv']);
    expect(harness.emitted[0]).toMatchObject({
      data: { event: 'created', directory: dir, path: 'a.csv', size: 3 },
    });

    appendFileSync(join(dir, 'a.csv'), ' two');
    utimesSync(join(dir, 'a.csv'), new Date(), new Date(Date.now() + 5000));
    harness.changed('a.csv');
    await harness.advance(2500);
    expect(harness.events()).toEqual(['created a.csv', 'modified a.csv']);

    unlinkSync(join(dir, 'a.csv'));
    harness.handlers?.onRemoved('a.csv');
    await harness.advance(250);
    expect(harness.events()).toEqual(['created a.csv', 'modified a.csv', 'deleted a.csv']);
    expect(harness.store.files.size).toBe(0);
    expect(new Set(harness.emitted.map((event) => event.id)).size).toBe(3);
  });

  it('waits while a file keeps growing', async () => {
    harness = new Harness(dir);
    await harness.start();
    harness.write('big.bin', 'a');
    for (let i = 0; i < 4; i++) {
      await harness.advance(750);
      appendFileSync(join(dir, 'big.bin'), 'more');
      utimesSync(join(dir, 'big.bin'), new Date(), new Date(Date.now() + (i + 1) * 1000));
    }
    expect(harness.emitted).toEqual([]);
    await harness.advance(2000);
    expect(harness.events()).toEqual(['created big.bin']);
    expect(harness.emitted[0].data).toMatchObject({ size: 17 });
  });

  it('drops a file deleted before it was stable', async () => {
    harness = new Harness(dir);
    await harness.start();
    harness.write('tmp.csv', 'x');
    unlinkSync(join(dir, 'tmp.csv'));
    harness.handlers?.onRemoved('tmp.csv');
    await harness.advance(2000);
    expect(harness.emitted).toEqual([]);
  });

  it('reconciles after a restart: what changed while down is announced once, then nothing', async () => {
    writeFileSync(join(dir, 'kept.csv'), 'k');
    writeFileSync(join(dir, 'changed.csv'), 'c');
    writeFileSync(join(dir, 'removed.csv'), 'r');
    const store = new MemorySeenStore();
    harness = new Harness(dir, store);
    await harness.start();
    await harness.stop();

    writeFileSync(join(dir, 'new.csv'), 'n');
    writeFileSync(join(dir, 'changed.csv'), 'changed');
    unlinkSync(join(dir, 'removed.csv'));
    harness = new Harness(dir, store);
    await harness.start();
    await harness.advance(1500);
    expect(harness.events().sort()).toEqual([
      'created new.csv',
      'deleted removed.csv',
      'modified changed.csv',
    ]);
    await harness.stop();

    harness = new Harness(dir, store);
    await harness.start();
    await harness.advance(1500);
    expect(harness.emitted).toEqual([]);
  });

  it('announces again, with the same id, what a crash before recording left unrecorded', async () => {
    const store = new MemorySeenStore();
    harness = new Harness(dir, store);
    await harness.start();
    harness.write('a.csv', 'x');
    store.failNextApply = true;
    await harness.advance(1000);
    await expect(harness.result()).rejects.toThrow('database went away');
    const first = harness.emitted.map((event) => event.id);
    expect(first).toHaveLength(1);

    harness = new Harness(dir, store);
    await harness.start();
    await harness.advance(1000);
    expect(harness.emitted.map((event) => event.id)).toEqual(first);
  });

  it('checks a reported removal on disk: a file still there is not announced deleted', async () => {
    harness = new Harness(dir);
    await harness.start();
    harness.write('a.csv', 'x');
    await harness.advance(1250);
    harness.handlers?.onRemoved('a.csv');
    harness.write('b.csv', 'y');
    harness.handlers?.onRemoved('b.csv');
    await harness.advance(1250);
    expect(harness.events()).toEqual(['created a.csv', 'created b.csv']);
  });

  it('finds files the watcher never reported with its periodic rescan', async () => {
    harness = new Harness(dir);
    await harness.start({}, 5_000);
    writeFileSync(join(dir, 'unreported.csv'), 'x');
    await harness.advance(4_000);
    expect(harness.emitted).toEqual([]);
    await harness.advance(2_500);
    expect(harness.events()).toEqual(['created unreported.csv']);
    unlinkSync(join(dir, 'unreported.csv'));
    await harness.advance(5_500);
    expect(harness.events()).toEqual(['created unreported.csv', 'deleted unreported.csv']);
  });

  it('announces only the events the source asks for but records every change', async () => {
    harness = new Harness(dir);
    await harness.start({ events: ['deleted'] });
    harness.write('a.csv', 'x');
    await harness.advance(1250);
    expect(harness.emitted).toEqual([]);
    expect(harness.store.files.has('a.csv')).toBe(true);
    unlinkSync(join(dir, 'a.csv'));
    harness.handlers?.onRemoved('a.csv');
    await harness.advance(250);
    expect(harness.events()).toEqual(['deleted a.csv']);
  });

  it('adds the content hash to id and data when asked', async () => {
    harness = new Harness(dir);
    await harness.start({ hashContent: true });
    harness.write('a.txt', 'hello');
    await harness.advance(1250);
    const sha256 = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
    expect(harness.emitted[0].data).toMatchObject({ sha256 });
    expect(harness.emitted[0].id).toContain(sha256);
  });

  it('fails clearly when the directory does not exist', async () => {
    harness = new Harness(join(dir, 'missing'));
    await harness.start();
    await expect(harness.result()).rejects.toThrow(DirectoryMissingError);
    await expect(harness.result()).rejects.toThrow(`${join(dir, 'missing')} is not a directory`);
  });
});
