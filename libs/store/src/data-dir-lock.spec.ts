import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DataDirLock, DataDirLockedError } from './data-dir-lock';

describe('DataDirLock', () => {
  let root: string;
  let dataDir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'flint-lock-'));
    dataDir = join(root, 'pglite');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes the owner pid next to the folder and removes it on release', () => {
    const lock = DataDirLock.acquire(dataDir);
    expect(readFileSync(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
    lock.release();
    lock.release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('refuses a second claim while the owner lives, saying what to do', () => {
    const lock = DataDirLock.acquire(dataDir);
    expect(() => DataDirLock.acquire(dataDir)).toThrow(DataDirLockedError);
    expect(() => DataDirLock.acquire(dataDir)).toThrow(
      `the embedded database in ${dataDir} is already open in process ${process.pid} (this one)`,
    );
    lock.release();
    DataDirLock.acquire(dataDir).release();
  });

  it('takes over a lock whose owner has exited', () => {
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(`${dataDir}.lock`, exited.stdout.toString());
    const lock = DataDirLock.acquire(dataDir);
    expect(readFileSync(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a lock file with no pid in it', () => {
    writeFileSync(`${dataDir}.lock`, '');
    DataDirLock.acquire(dataDir).release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
