import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Flint's version, from the package.json the CLI ships in. Looked up by walking up from this file
 * because the file sits at different depths in the sources and in `dist/`.
 */
export function flintVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === 'flint' && typeof manifest.version === 'string') return manifest.version;
    if (dirname(dir) === dir) return 'unknown';
  }
}

function readManifest(path: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
