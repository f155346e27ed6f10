import { type Dirent, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { type FileVersion, versionOf } from './file-state';
import type { PathFilter } from './path-filter';

/** Every file of the directory the filter includes, by relative path, with its version. */
export async function scanDirectory(
  root: string,
  filter: PathFilter,
): Promise<Map<string, FileVersion>> {
  const files = new Map<string, FileVersion>();
  const walk = async (relativeDir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(join(root, relativeDir), { withFileTypes: true });
    } catch (err) {
      // A subdirectory removed while we walk is simply not there any more.
      if (relativeDir !== '' && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const subdirectories: string[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (filter.entersDirectory(relative)) subdirectories.push(relative);
        } else if (entry.isFile() && filter.includesFile(relative)) {
          const version = await statVersion(join(root, relative));
          if (version) files.set(relative, version);
        }
      }),
    );
    for (const subdirectory of subdirectories) await walk(subdirectory);
  };
  await walk('');
  return files;
}

/** The file's version, or undefined when it no longer exists (or is no longer a file). */
export async function statVersion(path: string): Promise<FileVersion | undefined> {
  try {
    const stats = await fs.stat(path);
    return stats.isFile() ? versionOf(stats) : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
