import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type SecretResolver,
  SecretNotFoundError,
  secretEnvName,
  storedSecretsFirst,
} from '@flint/provider-sdk';
import type { Store } from '@flint/store';

/** Target secrets: the encrypted store (when FLINT_SECRETS_KEYS is set), then files and variables. */
export function targetSecrets(env: NodeJS.ProcessEnv, store: Store): SecretResolver {
  return storedSecretsFirst(store, env, new TargetSecretResolver(env));
}

/**
 * Secrets for workflow targets: a file named like the secret in `FLINT_SECRETS_DIR` (a mounted
 * Kubernetes Secret, whose updates reach the files without a restart), else the
 * `FLINT_SECRET_<NAME>` environment variable, the convention the providers use. Secret names cannot
 * contain "/" (SecretNameSchema), so a name never leads out of the folder. A trailing newline, as
 * editors and `echo` write it, is not part of a file's value.
 */
export class TargetSecretResolver implements SecretResolver {
  private readonly dir: string | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    this.dir = env.FLINT_SECRETS_DIR || undefined;
  }

  async resolve(name: string): Promise<string> {
    if (this.dir !== undefined) {
      try {
        return (await readFile(join(this.dir, name), 'utf8')).replace(/\r?\n$/, '');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new SecretNotFoundError(
            name,
            `file ${join(this.dir, name)} cannot be read: ${(err as NodeJS.ErrnoException).code}`,
          );
        }
      }
    }
    const variable = secretEnvName(name);
    const value = this.env[variable];
    if (value !== undefined && value !== '') return value;
    const where = this.dir === undefined ? '' : `add the file ${join(this.dir, name)} or `;
    throw new SecretNotFoundError(name, `${where}set environment variable ${variable}`);
  }
}
