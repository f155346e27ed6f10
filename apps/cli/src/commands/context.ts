import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../cli';
import { CliInputError, failuresReported } from '../command-failures';
import { type CliContext, CliContextSchema } from '../contexts';
import { type OutputOptions, formatTable, printOutput, withOutputOption } from '../output';

interface ContextSetOptions {
  apiUrl?: string;
  apiKey?: string;
  apiKeyFile?: string;
  use?: boolean;
}

/** What `context list` shows of a context: never the key itself. */
interface ContextSummary {
  name: string;
  current: boolean;
  apiUrl?: string;
  key: string;
}

/** `flint context list|use|set|delete`: named Flint installations in the CLI's config file. */
export function registerContextCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  const file = context.config;
  const group = program
    .command('context')
    .description(
      'named API URLs and keys, kept in $XDG_CONFIG_HOME/flint/config.yaml; --api-url, --api-key, FLINT_API_URL and FLINT_API_KEY still win',
    );

  withOutputOption(
    group.command('list').description('list the contexts; * marks the current one'),
  ).action((options: OutputOptions) =>
    attempt('context list', async () => {
      const config = file.read();
      const summaries = config.contexts.map((c): ContextSummary => ({
        name: c.name,
        current: c.name === config.currentContext,
        ...(c.apiUrl === undefined ? {} : { apiUrl: c.apiUrl }),
        key: keySummary(c),
      }));
      printOutput(io, options.output, summaries, () =>
        summaries.length === 0
          ? [`no contexts yet; add one with "npx flint context set <name> --api-url <url>"`]
          : formatTable(
              ['CURRENT', 'NAME', 'API URL', 'KEY'],
              summaries.map((s) => [s.current ? '*' : '', s.name, s.apiUrl ?? '-', s.key]),
            ),
      );
    }),
  );

  group
    .command('use <name>')
    .description('make a context the current one')
    .action((name: string) =>
      attempt(`context use ${name}`, async () => {
        const config = file.read();
        if (!config.contexts.some((c) => c.name === name)) {
          throw new CliInputError(`context "${name}" does not exist; see "npx flint context list"`);
        }
        file.write({ ...config, currentContext: name });
        io.out(`current context: ${name}`);
      }),
    );

  group
    .command('set <name>')
    .description('create a context or change the given fields of one')
    .option('--api-url <url>', 'the Flint API base URL')
    .option('--api-key <key>', 'the API key (stored in the config file, readable only by you)')
    .option('--api-key-file <path>', 'a file holding the API key, read at each call')
    .option('--use', 'also make it the current context')
    .action((name: string, options: ContextSetOptions) =>
      attempt(`context set ${name}`, async () => {
        if (options.apiKey !== undefined && options.apiKeyFile !== undefined) {
          throw new CliInputError('give the key with --api-key or --api-key-file, not both');
        }
        const config = file.read();
        const existing = config.contexts.find((c) => c.name === name);
        const keyChange: Partial<CliContext> =
          options.apiKey !== undefined
            ? { apiKey: options.apiKey, apiKeyFile: undefined }
            : options.apiKeyFile !== undefined
              ? { apiKeyFile: resolve(io.cwd, options.apiKeyFile), apiKey: undefined }
              : {};
        const merged = {
          ...existing,
          name,
          ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
          ...keyChange,
        };
        const parsed = CliContextSchema.safeParse(withoutUndefined(merged));
        if (!parsed.success) {
          throw new CliInputError(
            parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          );
        }
        const contexts = existing
          ? config.contexts.map((c) => (c.name === name ? parsed.data : c))
          : [...config.contexts, parsed.data];
        const current = options.use || config.currentContext === undefined;
        file.write({ ...config, contexts, ...(current ? { currentContext: name } : {}) });
        io.out(
          `context ${name}: ${existing ? 'updated' : 'created'}${current ? ' (current)' : ''}`,
        );
      }),
    );

  group
    .command('delete <name>')
    .description('remove a context')
    .action((name: string) =>
      attempt(`context delete ${name}`, async () => {
        const config = file.read();
        if (!config.contexts.some((c) => c.name === name)) {
          throw new CliInputError(`context "${name}" does not exist`);
        }
        const { currentContext, ...rest } = config;
        file.write({
          ...rest,
          contexts: config.contexts.filter((c) => c.name !== name),
          ...(currentContext === name ? {} : { currentContext }),
        });
        io.out(`context ${name}: deleted`);
      }),
    );
}

function keySummary(c: CliContext): string {
  if (c.apiKey) return 'stored';
  if (c.apiKeyFile) return `file ${c.apiKeyFile}`;
  return '-';
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
