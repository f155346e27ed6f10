import { z } from 'zod';
import { hasNoDuplicates, strictObject } from '../strict';

export const FILE_EVENTS = ['created', 'modified', 'deleted'] as const;

export const FileConfigSchema = strictObject({
  directory: z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters'),
  /** Glob relative to the directory. */
  pattern: z.string().min(1, 'must not be empty').max(1024).default('**/*'),
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
});
export type FileConfig = z.infer<typeof FileConfigSchema>;
