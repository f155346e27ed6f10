import type { z } from 'zod';
import { type FormattedIssue, formatZodIssues } from './format-issues';

/** The user-facing problems of an input the schema must reject. */
export function problemsOf(schema: z.ZodType, input: unknown): FormattedIssue[] {
  const result = schema.safeParse(input);
  if (result.success)
    throw new Error(`expected the input to be rejected: ${JSON.stringify(input)}`);
  return formatZodIssues(result.error);
}
