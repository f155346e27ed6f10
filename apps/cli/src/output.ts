import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import type { CliIo } from './cli';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputOptions {
  output: OutputFormat;
}

/**
 * Adds `-o, --output table|json|yaml` to a command that prints objects. `table` is for people (a
 * table for lists, labelled lines for one object); `json` and `yaml` print the API's objects as they
 * are, for scripts.
 */
export function withOutputOption(command: Command): Command {
  return command.addOption(
    new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'),
  );
}

/** Prints `value` in the chosen format; `humanLines` only runs for `table`. */
export function printOutput(
  io: CliIo,
  format: OutputFormat,
  value: unknown,
  humanLines: () => string[],
): void {
  if (format === 'json') io.out(JSON.stringify(value, null, 2));
  else if (format === 'yaml') io.out(stringify(value).trimEnd());
  else for (const line of humanLines()) io.out(line);
}

/** Columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows].map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
