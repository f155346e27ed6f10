import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type ApiKeyInfo,
  ApiKeyInfoSchema,
  ApiKeyListSchema,
  CreatedApiKeySchema,
  SecretListSchema,
  type SecretMetadata,
  SecretMetadataSchema,
} from '@flint/contracts';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import { CliInputError, failuresReported, typed } from '../command-failures';
import { type OutputOptions, formatTable, printOutput, withOutputOption } from '../output';

interface SecretSetOptions extends ApiOptions {
  owner?: string;
  fromFile?: string;
  value?: string;
}

type ListOptions = ApiOptions & OutputOptions;

interface KeyCreateOptions extends ApiOptions {
  role: string;
  owner?: string;
}

/** `flint secret set|list|delete` and `flint key create|list|revoke`. */
export function registerAccessCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const readStdin = () => {
    if (process.stdin.isTTY) io.err('type the secret value, then press Ctrl-D');
    return readAll(process.stdin);
  };
  const attempt = failuresReported(context);

  const secret = program.command('secret').description('manage secrets (values are write-only)');

  withApiOptions(
    secret
      .command('set <name>')
      .description(
        'store a secret, read from standard input (a trailing newline is dropped) or --from-file',
      )
      .option('--owner <owner>', 'team that owns the secret (default: the key’s own owner)')
      .option('--from-file <path>', 'read the value from this file')
      .option(
        '--value <value>',
        'the value itself; it lands in your shell history, prefer standard input or --from-file',
      ),
  ).action((name: string, options: SecretSetOptions) =>
    attempt(`secret set ${name}`, async () => {
      const value = await secretValue(options, io.cwd, readStdin);
      const stored = await typed(
        SecretMetadataSchema,
        context.client(options).request('PUT', `/api/secrets/${encodeURIComponent(name)}`, {
          value,
          ...(options.owner ? { owner: options.owner } : {}),
        }),
      );
      const action = stored.version === 1 ? 'created' : 'updated';
      io.out(`secret ${stored.name}: ${action} (version ${stored.version}, owner ${stored.owner})`);
    }),
  );

  withOutputOption(
    withApiOptions(secret.command('list').description('list secrets (names and metadata only)')),
  ).action((options: ListOptions) =>
    attempt('secret list', async () => {
      const { items } = await typed(
        SecretListSchema,
        context.client(options).request('GET', '/api/secrets'),
      );
      printOutput(io, options.output, items, () =>
        formatTable(['NAME', 'OWNER', 'VERSION', 'KEY ID', 'UPDATED'], items.map(secretRow)),
      );
    }),
  );

  withApiOptions(secret.command('delete <name>').description('delete a secret')).action(
    (name: string, options: ApiOptions) =>
      attempt(`secret delete ${name}`, async () => {
        await context.client(options).request('DELETE', `/api/secrets/${encodeURIComponent(name)}`);
        io.out(`secret ${name}: deleted`);
      }),
  );

  const key = program.command('key').description('manage API keys (admin only)');

  withApiOptions(
    key
      .command('create <name>')
      .description('create an API key; the key is printed once, on standard output')
      .requiredOption('--role <role>', 'viewer, editor or admin')
      .option('--owner <owner>', 'team the key is limited to (required for viewer and editor)'),
  ).action((name: string, options: KeyCreateOptions) =>
    attempt(`key create ${name}`, async () => {
      const created = await typed(
        CreatedApiKeySchema,
        context.client(options).request('POST', '/api/keys', {
          name,
          role: options.role,
          ...(options.owner ? { owner: options.owner } : {}),
        }),
      );
      io.out(created.key);
      io.err(
        `created ${created.role} key ${created.id} "${created.name}"` +
          `${created.owner ? ` for owner ${created.owner}` : ''}; it is shown only this once`,
      );
    }),
  );

  withOutputOption(
    withApiOptions(key.command('list').description('list API keys (never the keys)')),
  ).action((options: ListOptions) =>
    attempt('key list', async () => {
      const { items } = await typed(
        ApiKeyListSchema,
        context.client(options).request('GET', '/api/keys'),
      );
      printOutput(io, options.output, items, () =>
        formatTable(
          ['ID', 'NAME', 'ROLE', 'OWNER', 'CREATED', 'LAST USED', 'REVOKED'],
          items.map(keyRow),
        ),
      );
    }),
  );

  withApiOptions(key.command('revoke <id>').description('revoke an API key')).action(
    (id: string, options: ApiOptions) =>
      attempt(`key revoke ${id}`, async () => {
        const revoked = await typed(
          ApiKeyInfoSchema,
          context.client(options).request('DELETE', `/api/keys/${encodeURIComponent(id)}`),
        );
        io.out(`key ${revoked.id} "${revoked.name}": revoked at ${revoked.revokedAt}`);
      }),
  );
}

async function secretValue(
  options: SecretSetOptions,
  cwd: string,
  readStdin: () => Promise<string>,
): Promise<string> {
  if (options.value !== undefined && options.fromFile !== undefined) {
    throw new CliInputError('give the value with --value or --from-file, not both');
  }
  let value: string;
  if (options.value !== undefined) {
    value = options.value;
  } else if (options.fromFile !== undefined) {
    const path = resolve(cwd, options.fromFile);
    try {
      value = withoutTrailingNewline(await readFile(path, 'utf8'));
    } catch (err) {
      throw new CliInputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  } else {
    value = withoutTrailingNewline(await readStdin());
  }
  if (value === '') {
    throw new CliInputError(
      'the secret value is empty; pipe it on standard input or use --from-file <path>',
    );
  }
  return value;
}

/** `echo` and editors end a value with a newline that is not part of it. */
function withoutTrailingNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function secretRow(secret: SecretMetadata): string[] {
  return [secret.name, secret.owner, String(secret.version), secret.keyId, secret.updatedAt];
}

function keyRow(key: ApiKeyInfo): string[] {
  return [
    key.id,
    key.name,
    key.role,
    key.owner ?? '-',
    key.createdAt,
    key.lastUsedAt ?? '-',
    key.revokedAt ?? '-',
  ];
}
