import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatZodIssues } from '@flint/contracts';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { CliInputError } from './command-failures';

/** One named Flint installation the CLI can talk to: where its API is and how to sign in. */
export const CliContextSchema = z.strictObject({
  name: z.string().min(1),
  apiUrl: z.url().optional(),
  /** The key itself; the file is then kept readable by its owner only. */
  apiKey: z.string().min(1).optional(),
  /** A file holding the key (read at each call, so a rotated key is picked up). */
  apiKeyFile: z.string().min(1).optional(),
});
export type CliContext = z.infer<typeof CliContextSchema>;

export const CliConfigSchema = z.strictObject({
  currentContext: z.string().optional(),
  contexts: z.array(CliContextSchema).default([]),
});
export type CliConfig = z.infer<typeof CliConfigSchema>;

/** `$XDG_CONFIG_HOME/flint/config.yaml`, else `~/.config/flint/config.yaml`; none without either. */
export function cliConfigPath(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  return base ? join(base, 'flint', 'config.yaml') : undefined;
}

/** The CLI's config file: named contexts and which one is current. */
export class CliConfigFile {
  constructor(readonly path: string | undefined) {}

  read(): CliConfig {
    if (!this.path || !existsSync(this.path)) return { contexts: [] };
    let value: unknown;
    try {
      value = parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      throw new CliInputError(`${this.path} is not valid YAML: ${(err as Error).message}`);
    }
    const parsed = CliConfigSchema.safeParse(value ?? {});
    if (!parsed.success) {
      const issues = formatZodIssues(parsed.error).map((i) => `${i.path}: ${i.message}`);
      throw new CliInputError(`${this.path} is not a valid Flint CLI config: ${issues.join('; ')}`);
    }
    return parsed.data;
  }

  write(config: CliConfig): void {
    if (!this.path) {
      throw new CliInputError('no place for the CLI config: set XDG_CONFIG_HOME or HOME');
    }
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    writeFileSync(this.path, stringify(config), { mode: 0o600 });
    // The file may hold API keys: keep it private even when it existed with wider permissions.
    chmodSync(this.path, 0o600);
  }

  /**
   * The context commands use: the one named (flag or FLINT_CONTEXT), which must exist, else the
   * current one, else none.
   */
  selected(name: string | undefined): CliContext | undefined {
    const config = this.read();
    const wanted = name ?? config.currentContext;
    if (wanted === undefined) return undefined;
    const found = config.contexts.find((c) => c.name === wanted);
    if (!found) {
      const where = name === undefined ? `the current context in ${this.path}` : 'context';
      throw new CliInputError(`${where} "${wanted}" does not exist; see "npx flint context list"`);
    }
    return found;
  }
}

/** The key a context signs in with, read from its file when it names one. */
export function contextApiKey(context: CliContext): string | undefined {
  if (context.apiKey) return context.apiKey;
  if (!context.apiKeyFile) return undefined;
  try {
    return readFileSync(context.apiKeyFile, 'utf8').trim();
  } catch (err) {
    throw new CliInputError(
      `context "${context.name}": cannot read its key file ${context.apiKeyFile} (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
}
