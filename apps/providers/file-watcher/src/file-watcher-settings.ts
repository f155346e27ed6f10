import { parseEnv } from '@flint/service-kit';
import { z } from 'zod';
import { DEFAULT_RESCAN_EVERY_MS } from './folder-watch';

export interface FileWatcherSettings {
  rescanEveryMs: number;
}

/** The file-watcher service's tuning from the environment; every variable is optional. */
export function fileWatcherSettingsFromEnv(env: NodeJS.ProcessEnv): FileWatcherSettings {
  const parsed = parseEnv(
    z.object({
      FLINT_FILE_WATCHER_RESCAN_INTERVAL_MS: z.coerce
        .number()
        .int()
        .min(1000)
        .default(DEFAULT_RESCAN_EVERY_MS),
    }),
    env,
  );
  return { rescanEveryMs: parsed.FLINT_FILE_WATCHER_RESCAN_INTERVAL_MS };
}
