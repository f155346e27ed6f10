import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { definePollFunction } from '@flint/sdk';

interface InboxConfig {
  /** The folder to watch. */
  folder: string;
  /** Only files whose name ends with this, like ".csv". */
  suffix?: string;
}

/** Files remembered as announced; the oldest are forgotten first. */
const MAX_SEEN = 500;

/**
 * A file inbox: fires one context per new file in a folder (its name, size and modification time).
 * A file announced once is remembered in the state, so it does not fire again after its run; a file
 * rewritten later (a new modification time) is a new context and fires again.
 */
export default definePollFunction({
  name: 'file-inbox',
  interval: '30s',
  timeout: '10s',
  async run(ctx) {
    const { folder, suffix = '' } = ctx.config as InboxConfig;
    const seen = new Set(ctx.state.get<string[]>('seen') ?? []);
    const fresh: Array<{ file: string; size: number; modifiedAt: string }> = [];
    for (const name of (await readdir(folder)).sort()) {
      if (!name.endsWith(suffix) || name.startsWith('.')) continue;
      const info = await stat(join(folder, name));
      if (!info.isFile()) continue;
      const modifiedAt = info.mtime.toISOString();
      const key = `${name}@${modifiedAt}`;
      if (seen.has(key)) continue;
      seen.add(key);
      fresh.push({ file: name, size: info.size, modifiedAt });
    }
    ctx.state.set('seen', [...seen].slice(-MAX_SEEN));
    if (fresh.length > 0) ctx.log(`${fresh.length} new file(s) in ${folder}`);
    return fresh.length > 0 ? { fire: true, context: fresh } : { fire: false };
  },
});
