import { globList } from '@flint/contracts';
import { minimatch } from 'minimatch';

const GLOB_OPTIONS = { dot: true } as const;

/**
 * Which paths of a watched directory count, by their path relative to it with "/" separators:
 * files must match a `pattern` glob and no `exclude` glob; a directory matched by an exclude glob
 * (or its `dir/**` form) is not entered at all; without `recursive`, only the top level counts.
 */
export class PathFilter {
  readonly patterns: readonly string[];
  readonly exclude: readonly string[];

  constructor(
    pattern: string | readonly string[],
    exclude: string | readonly string[] = [],
    readonly recursive = true,
  ) {
    this.patterns = globList(pattern);
    this.exclude = globList(exclude);
  }

  includesFile(relativePath: string): boolean {
    if (!this.recursive && relativePath.includes('/')) return false;
    if (!this.patterns.some((glob) => minimatch(relativePath, glob, GLOB_OPTIONS))) return false;
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
