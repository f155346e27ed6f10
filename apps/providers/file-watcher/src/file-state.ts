/** What identifies a version of a file: its size and modification time. */
export interface FileVersion {
  size: number;
  mtimeMs: number;
}

export function sameVersion(a: FileVersion | undefined, b: FileVersion | undefined): boolean {
  return a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Whole milliseconds, so a version read back from JSON compares equal to a fresh stat. */
export function versionOf(stats: { size: number; mtimeMs: number }): FileVersion {
  return { size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs) };
}
