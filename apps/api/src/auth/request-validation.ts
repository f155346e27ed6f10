import { BadRequestException } from '@nestjs/common';
import { formatZodIssues } from '@flint/contracts';
import type { z } from 'zod';

/** Parses a request part with its contract schema; 400 listing every problem by path otherwise. */
export function parseRequest<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new BadRequestException({
    error: {
      code: 'invalid_request',
      message: `invalid ${what}`,
      issues: formatZodIssues(parsed.error),
    },
  });
}
