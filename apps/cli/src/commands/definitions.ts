import type { Command } from 'commander';
import {
  type Definition,
  type DefinitionKind,
  DefinitionPageSchema,
  SOURCE_KIND_NAMES,
  type SourceHealth,
  SourcePageSchema,
  SourceWithStatusSchema,
  type StoredDefinition,
  StoredDefinitionSchema,
} from '@flint/contracts';
import { ApiError, type FlintApiClient } from '../api-client';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import { CliInputError, failuresReported, typed } from '../command-failures';
import {
  type LoadResult,
  formatProblem,
  issuesByDocument,
  loadDefinitionFiles,
} from '../definition-files';
import { definitionReferences } from '../definition-references';
import { type FieldChange, definitionChanges, formatChange } from '../definition-diff';
import { type OutputOptions, formatTable, printOutput, withOutputOption } from '../output';
import { pollHistoryLines, sourceHistory } from './source-history';

interface ApplyOptions extends ApiOptions {
  file: string[];
  dryRun?: boolean;
}

interface ValidateOptions extends ApiOptions {
  file: string[];
  server?: boolean;
}

interface GetOptions extends ApiOptions, OutputOptions {
  history?: boolean;
  owner?: string;
  provider?: string;
  source?: string;
  enabled?: string;
  limit?: string;
}

/** The options that narrow a listing; meaningless when one definition is named. */
const LIST_FILTERS = ['owner', 'enabled', 'provider', 'source', 'limit'] as const;

/** Most items one listing request asks for (the API's maximum page size). */
const PAGE_SIZE = 500;

/**
 * `flint validate`, `apply`, `get` (alias `list`), `delete`, `enable` and `disable`: definition files and
 * the stored sources and triggers.
 */
export function registerDefinitionCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  const reportProblems = (loaded: LoadResult, consequence: string): boolean => {
    if (loaded.problems.length === 0) return false;
    for (const problem of loaded.problems) io.err(formatProblem(problem));
    io.err(`${loaded.problems.length} problem(s)${consequence}`);
    context.fail();
    return true;
  };

  withApiOptions(
    program
      .command('validate')
      .description(
        'check definition files as the API would (schema, CEL, references) without applying them',
      )
      .requiredOption('-f, --file <paths...>', 'definition files or folders (YAML or JSON)')
      .option(
        '--server',
        'also check references against the API: its stored sources and the local workflows its runners have',
      ),
  ).action((options: ValidateOptions) =>
    attempt('validate', async () => {
      const server = options.server ? context.client(options) : undefined;
      const loaded = await loadDefinitionFiles(options.file, await definitionReferences(server));
      if (reportProblems(loaded, '')) return;
      io.out(
        `${loaded.definitions.length} definition(s) valid` +
          (server ? ` against ${server.baseUrl}` : ''),
      );
    }),
  );

  withApiOptions(
    program
      .command('apply')
      .description(
        'validate definition files and store them, showing what changes in each; nothing is applied if any file is invalid',
      )
      .requiredOption('-f, --file <paths...>', 'definition files or folders (YAML or JSON)')
      .option('--dry-run', 'run every check and show what would change, without applying anything'),
  ).action((options: ApplyOptions) =>
    attempt('apply', async () => {
      const client = context.client(options);
      const loaded = await loadDefinitionFiles(options.file, await definitionReferences(client));
      if (reportProblems(loaded, '; nothing was applied')) return;
      const definitions = loaded.definitions.map((d) => d.definition);
      const plans = await Promise.all(definitions.map((d) => plan(client, d)));
      if (options.dryRun) {
        for (const p of plans) printPlan(p);
        io.out('dry run: nothing was applied');
        return;
      }
      const results = await client
        .applyDefinitions(definitions)
        .catch((err: unknown) =>
          Promise.reject(
            err instanceof ApiError
              ? new ApiError(
                  err.status,
                  err.message,
                  issuesByDocument(err.issues, loaded.definitions),
                )
              : err,
          ),
        );
      for (const [index, result] of results.entries()) {
        io.out(`${result.kind} ${result.id}: ${result.action} (version ${result.version})`);
        if (result.action === 'updated') printChanges(plans[index]?.changes ?? []);
      }
    }),
  );

  withOutputOption(
    withApiOptions(
      program
        .command('get <kind> [id]')
        .alias('list')
        .description(
          'list stored sources or triggers, ordered by id, or show one (like kubectl get); `list` is an alias',
        )
        .option('--owner <owner>', 'only this owner’s')
        .option('--enabled <true|false>', 'only enabled or only disabled ones')
        .option('--provider <provider>', `sources only: ${SOURCE_KIND_NAMES.join(', ')}`)
        .option('--source <id>', 'triggers only: those listening to this source')
        .option('--limit <n>', 'show at most this many')
        .option('--history', 'one poll function source: its last polls'),
    ),
  ).action((kindArg: string, id: string | undefined, options: GetOptions) =>
    attempt(['get', kindArg, ...(id === undefined ? [] : [id])].join(' '), async () => {
      const kind = parseKind(kindArg);
      const client = context.client(options);
      if (options.history) {
        if (kind !== 'source' || id === undefined) {
          throw new CliInputError('--history shows one source: flint get source <id> --history');
        }
        const history = await sourceHistory(client, id);
        printOutput(io, options.output, history, () => pollHistoryLines(history));
        return;
      }
      if (id !== undefined) {
        const filter = LIST_FILTERS.find((name) => options[name] !== undefined);
        if (filter)
          throw new CliInputError(`--${filter} only applies when listing, not to one ${kind}`);
        const definition = await fetchDefinition(client, kind, id);
        if (!definition) throw new CliInputError(`${kind} "${id}" does not exist`);
        printOutput(io, options.output, definition, () => [
          ...table(kind, [definition]),
          ...(definition.status === undefined ? [] : statusLines(definition.status)),
        ]);
        return;
      }
      const query = listQuery(kind, options);
      const limit = options.limit === undefined ? Infinity : positiveInteger(options.limit);
      const items = await listAll(client, kind, query, limit);
      printOutput(io, options.output, items, () =>
        items.length === 0 ? [`no ${kind}s found`] : table(kind, items),
      );
    }),
  );

  withApiOptions(
    program.command('delete <kind> <id>').description('delete a source or trigger'),
  ).action((kindArg: string, id: string, options: ApiOptions) =>
    attempt(`delete ${kindArg} ${id}`, async () => {
      const kind = parseKind(kindArg);
      await context.client(options).request('DELETE', resourcePath(kind, id));
      io.out(`${kind} ${id}: deleted`);
    }),
  );

  for (const action of ['enable', 'disable'] as const) {
    withApiOptions(
      program
        .command(`${action} <kind> <id>`)
        .description(`${action} a source or trigger (nothing changes if it already is)`),
    ).action((kindArg: string, id: string, options: ApiOptions) =>
      attempt(`${action} ${kindArg} ${id}`, async () => {
        const kind = parseKind(kindArg);
        const stored = await typed(
          StoredDefinitionSchema,
          context.client(options).request('POST', `${resourcePath(kind, id)}/${action}`),
        );
        io.out(`${kind} ${id}: ${action}d (version ${stored.version})`);
      }),
    );
  }

  function printPlan(p: Plan): void {
    const { kind, id } = p.definition;
    if (!p.current) io.out(`${kind} ${id}: would be created`);
    else if (p.changes.length === 0)
      io.out(`${kind} ${id}: unchanged (version ${p.current.version})`);
    else {
      io.out(`${kind} ${id}: would be updated (from version ${p.current.version})`);
      printChanges(p.changes);
    }
  }

  function printChanges(changes: FieldChange[]): void {
    for (const change of changes) io.out(`    ${formatChange(change)}`);
  }
}

interface Plan {
  definition: Definition;
  current: StoredDefinition | undefined;
  changes: FieldChange[];
}

async function plan(client: FlintApiClient, definition: Definition): Promise<Plan> {
  const current = withoutStatus(await fetchDefinition(client, definition.kind, definition.id));
  return {
    definition,
    current,
    changes: current ? definitionChanges(current, definition) : [],
  };
}

/** A stored definition as `GET` shows it: a source with its current status. */
type ShownDefinition = StoredDefinition & { status?: SourceHealth };

async function fetchDefinition(
  client: FlintApiClient,
  kind: DefinitionKind,
  id: string,
): Promise<ShownDefinition | undefined> {
  try {
    const schema = kind === 'source' ? SourceWithStatusSchema : StoredDefinitionSchema;
    return await typed(schema, client.request('GET', resourcePath(kind, id)));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** The definition alone: a source's status is not part of what `apply` compares. */
function withoutStatus(shown: ShownDefinition | undefined): StoredDefinition | undefined {
  if (shown === undefined) return undefined;
  const { status: _status, ...definition } = shown;
  return definition as StoredDefinition;
}

async function listAll(
  client: FlintApiClient,
  kind: DefinitionKind,
  query: URLSearchParams,
  limit: number,
): Promise<ShownDefinition[]> {
  const items: ShownDefinition[] = [];
  let cursor: string | undefined;
  do {
    const page = new URLSearchParams(query);
    page.set('limit', String(Math.min(PAGE_SIZE, limit - items.length)));
    if (cursor) page.set('cursor', cursor);
    const body = await typed(
      kind === 'source' ? SourcePageSchema : DefinitionPageSchema,
      client.request('GET', `/api/${kind}s?${page.toString()}`),
    );
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor && items.length < limit);
  return items;
}

function listQuery(kind: DefinitionKind, options: GetOptions): URLSearchParams {
  const query = new URLSearchParams();
  if (options.owner) query.set('owner', options.owner);
  if (options.enabled !== undefined) {
    if (options.enabled !== 'true' && options.enabled !== 'false') {
      throw new CliInputError(`--enabled must be true or false, not "${options.enabled}"`);
    }
    query.set('enabled', options.enabled);
  }
  if (options.provider !== undefined) {
    if (kind !== 'source') throw new CliInputError('--provider only applies to sources');
    query.set('provider', options.provider);
  }
  if (options.source !== undefined) {
    if (kind !== 'trigger') throw new CliInputError('--source only applies to triggers');
    query.set('source', options.source);
  }
  return query;
}

function table(kind: DefinitionKind, items: ShownDefinition[]): string[] {
  const rows = items.map((item) => [
    item.id,
    item.owner,
    item.enabled ? 'yes' : 'no',
    String(item.version),
    ...(item.kind === 'source'
      ? [item.provider, item.status?.state ?? '']
      : [
          [
            ...(item.sources ?? []).map((s) => (typeof s === 'string' ? s : `${s.id} (inline)`)),
            ...(item.eventTypes ?? []).map((type) => `type:${type}`),
          ].join(', '),
        ]),
    item.updatedAt,
  ]);
  const header = [
    'ID',
    'OWNER',
    'ENABLED',
    'VERSION',
    ...(kind === 'source' ? ['PROVIDER', 'STATUS'] : ['LISTENS TO']),
    'UPDATED',
  ];
  return formatTable(header, rows);
}

/** One source's status under its row: why it fails, its last success and error, failures in a row. */
function statusLines(status: SourceHealth): string[] {
  const lines: Array<[string, string | number | undefined]> = [
    ['status', status.state],
    // A failing source's message is its last error, shown once.
    ['message', status.message === status.lastError ? undefined : status.message],
    ['last success', status.lastSuccessAt],
    ['last error', status.lastError],
    ['last error at', status.lastErrorAt],
    ['failures in a row', status.consecutiveFailures],
    ['connection', status.connection],
    ['last event', status.lastEventAt],
    ['lag', status.lag],
    ['replicas', status.replicas],
    ['reported', status.reportedAt],
  ];
  const shown = lines.filter((line): line is [string, string | number] => line[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return ['', ...shown.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`)];
}

function parseKind(value: string): DefinitionKind {
  const kind = value.replace(/s$/, '');
  if (kind === 'source' || kind === 'trigger') return kind;
  throw new CliInputError(`kind must be "source" or "trigger", not "${value}"`);
}

function positiveInteger(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) {
    throw new CliInputError(`--limit must be a whole number of 1 or more, not "${value}"`);
  }
  return Number(value);
}

function resourcePath(kind: DefinitionKind, id: string): string {
  return `/api/${kind}s/${encodeURIComponent(id)}`;
}
