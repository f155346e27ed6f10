import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

/**
 * An exclusive claim on the embedded database's folder. PGlite itself does not stop a second
 * instance from opening the same files, and two writers corrupt them; the claim is a lock file holding
 * the owner's pid, taken over only when that process is gone.
 */
export class DataDirLock {
  private released = false;

  private constructor(readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    const path = `${dataDir}.lock`;
    if (!tryCreate(path)) {
      const holder = readHolder(path);
      if (holder !== undefined && isAlive(holder)) {
        throw new DataDirLockedError(
          `the embedded database in ${dataDir} is already open in process ${holder}${holder === process.pid ? ' (this one)' : ''}: ` +
            'run the services in one process, or set DATABASE_URL to share PostgreSQL. ' +
            `If no such process is running, delete ${path}`,
        );
      }
      unlinkSync(path);
      if (!tryCreate(path)) {
        throw new DataDirLockedError(
          `another process claimed ${dataDir} at the same moment; try again`,
        );
      }
    }
    return new DataDirLock(path);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    unlinkSync(this.path);
  }
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): number | undefined {
  const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
