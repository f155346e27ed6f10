import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliInputError } from './command-failures';

/** JSON a command reads from a file named on its command line (relative to the working folder). */
export async function readJsonFile(path: string, cwd: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new CliInputError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseJsonText(text, path);
}

/** JSON given on the command line; `what` names it in the error (a flag or a file). */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliInputError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}
