import type { z } from 'zod';
import { ApiError } from './api-client';
import type { CommandContext } from './cli';

/** A problem with what the user gave the CLI, found before calling the API. */
export class CliInputError extends Error {
  override readonly name = 'CliInputError';
}

/**
 * Runs a command's work, turning every API or input error into a message on stderr (with each
 * problem by path) and a non-zero exit.
 */
export function failuresReported(context: CommandContext) {
  return async (what: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof ApiError || err instanceof CliInputError)) throw err;
      context.io.err(`${what} failed: ${err.message}`);
      if (err instanceof ApiError) {
        for (const issue of err.issues) context.io.err(`  ${issue.path}: ${issue.message}`);
      }
      context.fail();
    }
  };
}

/** The API's answer checked against its contract, so a version mismatch is a clear error. */
export async function typed<Schema extends z.ZodType>(
  schema: Schema,
  answer: Promise<unknown>,
): Promise<z.infer<Schema>> {
  const parsed = schema.safeParse(await answer);
  if (!parsed.success) throw new ApiError(200, 'the API answered with an unexpected body');
  return parsed.data;
}
