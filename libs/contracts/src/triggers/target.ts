import { z } from 'zod';
import { TopicNameSchema } from '../topics';
import {
  CelExpressionSchema,
  HeadersSchema,
  HttpUrlSchema,
  WorkflowNameSchema,
} from '../primitives';
import { discriminatorError, hasNoDuplicates, strictObject } from '../strict';

export const TARGET_TYPES = ['http', 'kafka', 'local'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const HTTP_TARGET_METHODS = ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'] as const;

const timeoutMs = (fallback: number) =>
  z
    .number()
    .int('must be a whole number of milliseconds')
    .min(1, 'must be at least 1')
    .max(3_600_000, 'must be at most 3600000 (an hour)')
    .default(fallback);

export const HttpTargetSchema = strictObject({
  type: z.literal('http'),
  url: HttpUrlSchema,
  method: z
    .enum(HTTP_TARGET_METHODS, { error: `must be one of: ${HTTP_TARGET_METHODS.join(', ')}` })
    .default('POST'),
  headers: HeadersSchema.default({}),
  timeoutMs: timeoutMs(10_000),
  /** Status codes that count as started; any 2xx when absent. */
  successCodes: z
    .array(
      z
        .number()
        .int('must be a whole number')
        .min(100, 'must be an HTTP status code (100-599)')
        .max(599, 'must be an HTTP status code (100-599)'),
    )
    .min(1, 'must not be empty; leave it out to accept any 2xx')
    .refine(hasNoDuplicates, 'must not repeat a status code')
    .optional(),
});

export const KafkaTargetSchema = strictObject({
  type: z.literal('kafka'),
  topic: TopicNameSchema,
  /** CEL expression for the message key. */
  key: CelExpressionSchema.optional(),
});

export const LocalTargetSchema = strictObject({
  type: z.literal('local'),
  workflow: WorkflowNameSchema,
  timeoutMs: timeoutMs(30_000),
});

/** The workflow a trigger starts. */
export const TargetSchema = z.discriminatedUnion(
  'type',
  [HttpTargetSchema, KafkaTargetSchema, LocalTargetSchema],
  {
    error: discriminatorError(
      'type',
      'target type',
      TARGET_TYPES,
      `required: the workflow to start, with type one of ${TARGET_TYPES.join(', ')}`,
    ),
  },
);
export type Target = z.infer<typeof TargetSchema>;
export type HttpTarget = z.infer<typeof HttpTargetSchema>;
export type KafkaTarget = z.infer<typeof KafkaTargetSchema>;
export type LocalTarget = z.infer<typeof LocalTargetSchema>;
