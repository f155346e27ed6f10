import { z } from 'zod';
import { hasNoDuplicates, strictObject } from '../strict';

export const FILE_EVENTS = ['created', 'modified', 'deleted'] as const;

const GlobSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'must be at most 1024 characters');

/** One glob, or a list of them of which any may match. */
const GlobsSchema = z.union([
  GlobSchema,
  z
    .array(GlobSchema)
    .min(1, 'must list at least one glob')
    .max(100, 'must list at most 100 globs')
    .refine(hasNoDuplicates, 'must not repeat a glob'),
]);

/** The globs of a `pattern` or `exclude` setting as a list. */
export function globList(globs: string | readonly string[] | undefined): readonly string[] {
  if (globs === undefined) return [];
  return typeof globs === 'string' ? [globs] : globs;
}

export const FileConfigSchema = strictObject({
  directory: z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters'),
  /** Glob (or list of globs, any of which may match) relative to the directory. */
  pattern: GlobsSchema.default('**/*'),
  events: z
    .array(z.enum(FILE_EVENTS, { error: `must be one of: ${FILE_EVENTS.join(', ')}` }))
    .min(1, 'must list at least one of: created, modified, deleted')
    .refine(hasNoDuplicates, 'must not repeat an event')
    .default(['created']),
  /** A file must keep its size and mtime this long before it counts, so half-written files wait. */
  stableForMs: z
    .number()
    .int('must be a whole number of milliseconds')
    .min(0, 'must be 0 or more')
    .max(3_600_000, 'must be at most 3600000 (an hour)')
    .default(1000),
  recursive: z.boolean().default(true),
  /** Glob or globs relative to the directory of files (and folders) to leave out, e.g. `tmp/**`. */
  exclude: GlobsSchema.optional(),
  /**
   * Poll the file system instead of using native events: for network shares and container volumes
   * where native events do not arrive.
   */
  usePolling: z.boolean().optional(),
  /** How often to poll with `usePolling`; default 1000. */
  pollIntervalMs: z
    .number()
    .int('must be a whole number of milliseconds')
    .min(50, 'must be at least 50')
    .max(3_600_000, 'must be at most 3600000 (an hour)')
    .optional(),
  /** Emit the files already there when the source is first started; by default they are only recorded. */
  emitExisting: z.boolean().optional(),
  /** Add the file's SHA-256 to its event (data.sha256) and event id; reads every file once. */
  hashContent: z.boolean().optional(),
}).refine((config) => config.pollIntervalMs === undefined || config.usePolling === true, {
  message: 'only applies when usePolling is true',
  path: ['pollIntervalMs'],
});
export type FileConfig = z.infer<typeof FileConfigSchema>;

/** CloudEvent types of a file source's events: `flint.file.created`, `.modified`, `.deleted`. */
export function fileEventType(event: FileEvent): string {
  return `flint.file.${event}`;
}

export type FileEvent = (typeof FILE_EVENTS)[number];

/** `data` of a file event. */
export const FileEventDataSchema = z.object({
  event: z.enum(FILE_EVENTS),
  /** The watched directory, as configured. */
  directory: z.string(),
  /** Path relative to the directory, with "/" separators. */
  path: z.string(),
  /** Size in bytes; for a deleted file, its last known size. */
  size: z.number(),
  /** Modification time, ISO 8601; for a deleted file, its last known one. */
  modifiedAt: z.string(),
  sha256: z.string().optional(),
});
export type FileEventData = z.infer<typeof FileEventDataSchema>;
