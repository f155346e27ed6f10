import { z } from 'zod';

/**
 * What went wrong, as one line for a log entry or a stored error: a validation error's problems by
 * path; an error's message, else (connection errors often have none) the messages of the errors it
 * aggregates, its code or its name; a plain object's `message`; anything else as a string.
 */
export function errorText(err: unknown): string {
  if (err instanceof z.ZodError) {
    return err.issues
      .map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`)
      .join('; ');
  }
  if (err instanceof AggregateError && !err.message) return err.errors.map(errorText).join('; ');
  if (err instanceof Error) {
    return err.message || String((err as { code?: unknown }).code ?? err.name);
  }
  // Some libraries reject with plain objects that carry a message.
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}
