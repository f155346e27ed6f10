import { minimatch } from 'minimatch';

const GLOB_OPTIONS = { dot: true } as const;

/**
 * Which paths of a watched directory count, by their path relative to it with "/" separators:
 * files must match `pattern` and no `exclude` glob; a directory matched by an exclude glob (or its
 * `dir/**` form) is not entered at all; without `recursive`, only the top level counts.
 */
export class PathFilter {
  constructor(
    readonly pattern: string,
    readonly exclude: readonly string[] = [],
    readonly recursive = true,
  ) {}

  includesFile(relativePath: string): boolean {
    if (!this.recursive && relativePath.includes('/')) return false;
    if (!minimatch(relativePath, this.pattern, GLOB_OPTIONS)) return false;
    return !this.isExcluded(relativePath);
  }

  /** False for directories to leave out entirely (the root is always entered). */
  entersDirectory(relativePath: string): boolean {
    if (relativePath === '') return true;
    if (!this.recursive) return false;
    return !this.isExcluded(relativePath) && !this.isExcluded(`${relativePath}/`);
  }

  private isExcluded(relativePath: string): boolean {
    return this.exclude.some(
      (glob) =>
        minimatch(relativePath, glob, GLOB_OPTIONS) ||
        (glob.endsWith('/**') && minimatch(relativePath, glob.slice(0, -3), GLOB_OPTIONS)),
    );
  }
}
