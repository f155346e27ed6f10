import { z } from 'zod';
import { DEFINITION_KINDS } from './definition';

/** `PUT /api/definitions`: a batch applied as a whole, in one transaction. */
export const ApplyRequestSchema = z
  .object({ definitions: z.array(z.unknown()).min(1).max(1000) })
  .strict();

export const APPLY_ACTIONS = ['created', 'updated', 'unchanged'] as const;
export type ApplyAction = (typeof APPLY_ACTIONS)[number];

export const ApplyResultSchema = z.object({
  kind: z.enum(DEFINITION_KINDS),
  id: z.string(),
  action: z.enum(APPLY_ACTIONS),
  /** The stored version after the apply. */
  version: z.number().int().positive(),
});
export type ApplyResult = z.infer<typeof ApplyResultSchema>;

export const ApplyResponseSchema = z.object({ results: z.array(ApplyResultSchema) });
export type ApplyResponse = z.infer<typeof ApplyResponseSchema>;

/** Every API error body: a stable code, a message for people, and for invalid input each problem by path. */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;
