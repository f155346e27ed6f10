import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type TestFireResult,
  TestFireResultSchema,
  TestEventSchema,
  formatZodIssues,
} from '@flint/contracts';
import { parse } from 'yaml';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import type { FlintApiClient } from '../api-client';
import { formatProblem, loadDefinitionFiles } from '../definition-files';
import { definitionReferences } from '../definition-references';
import { CliInputError, failuresReported, typed } from '../command-failures';
import { type OutputOptions, printOutput, withOutputOption } from '../output';

interface TestOptions extends ApiOptions, OutputOptions {
  file?: string;
  event: string;
  start?: boolean;
}

/**
 * `flint test <trigger-id> --event <file>` (a stored trigger) and `flint test -f <trigger.yaml>
 * --event <file>` (a draft). Exits 0 when the event matches and 1 when it does not, so a test can
 * gate a pipeline.
 */
export function registerTestCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  withOutputOption(
    withApiOptions(
      program
        .command('test [trigger-id]')
        .description(
          'show whether a sample event fires a trigger, why not, its dedupe key and mapped input',
        )
        .option('-f, --file <path>', 'test the trigger in this file instead of a stored one')
        .requiredOption(
          '--event <path>',
          'the sample event (JSON or YAML); id, time and where the trigger listens are filled in',
        )
        .option('--start', 'start the run for real when the event matches'),
    ),
  ).action((triggerId: string | undefined, options: TestOptions) =>
    attempt(`test ${triggerId ?? options.file ?? ''}`.trimEnd(), async () => {
      if ((triggerId === undefined) === (options.file === undefined)) {
        throw new CliInputError('name a stored trigger id or a file with -f, not both or neither');
      }
      const event = sampleEvent(await readDocument(options.event, io.cwd, 'event'), options.event);
      const start = options.start === true;
      const client = context.client(options);
      const result = await typed(
        TestFireResultSchema,
        triggerId !== undefined
          ? client.request('POST', `/api/triggers/${encodeURIComponent(triggerId)}/test`, {
              event,
              start,
            })
          : client.request('POST', '/api/triggers/test', {
              trigger: await draftTrigger(resolve(io.cwd, options.file as string), client),
              event,
              start,
            }),
      );
      printOutput(io, options.output, result, () => resultLines(result));
      if (!result.matched) context.fail();
    }),
  );
}

async function readDocument(path: string, cwd: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new CliInputError(`cannot read the ${what} file ${path}: ${(err as Error).message}`);
  }
  try {
    return parse(text) as unknown;
  } catch (err) {
    throw new CliInputError(
      `the ${what} file ${path} is not JSON or YAML: ${(err as Error).message}`,
    );
  }
}

/**
 * The sample as the API takes it: a CloudEvent, possibly partial, with the payload under `data`.
 * A file holding only the payload is the usual mistake, so the error shows the expected shape.
 */
function sampleEvent(value: unknown, path: string): unknown {
  const parsed = TestEventSchema.safeParse(value);
  if (parsed.success) return value;
  const problems = formatZodIssues(parsed.error).map((i) =>
    i.path ? `${i.path}: ${i.message}` : i.message,
  );
  throw new CliInputError(
    `${path} is not a sample event (${problems.join('; ')}); it holds a CloudEvent whose fields ` +
      'may be left out, with the payload under "data": {"type": "com.example.order", "data": {"total": 250}}',
  );
}

/** The one trigger in the file, checked first as `flint validate --server` does. */
export async function draftTrigger(path: string, client: FlintApiClient): Promise<unknown> {
  const loaded = await loadDefinitionFiles([path], await definitionReferences(client));
  if (loaded.problems.length > 0) {
    throw new CliInputError(
      `${path} is not a valid definition file:\n${loaded.problems.map(formatProblem).join('\n')}`,
    );
  }
  const triggers = loaded.definitions.filter((d) => d.definition.kind === 'trigger');
  if (triggers.length !== 1) {
    throw new CliInputError(`${path} must hold exactly one trigger, it holds ${triggers.length}`);
  }
  return triggers[0]!.definition;
}

function resultLines(result: TestFireResult): string[] {
  const lines = result.matched
    ? ['matched: yes']
    : [`matched: no (${result.reason?.code ?? 'no reason given'})`];
  if (result.reason) lines.push(`reason: ${result.reason.message}`);
  // The decision says which part was false and with which values.
  if (!result.matched && result.decision.message !== result.reason?.message) {
    lines.push(`why: ${result.decision.message}`);
  }
  if (result.dedupeKey !== undefined) lines.push(`dedupe key: ${result.dedupeKey}`);
  if (result.runId !== undefined) {
    lines.push(`run id: ${result.runId}${result.started ? ' (started)' : ' (not started)'}`);
  }
  if (result.input !== undefined) {
    lines.push(
      'input:',
      ...JSON.stringify(result.input, null, 2)
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return lines;
}
