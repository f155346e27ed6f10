/**
 * Looks up secret values by the name a definition references (`secretRef`). Definitions never hold
 * secret values; today they come from the environment, later from the API's encrypted store.
 */
export interface SecretResolver {
  /** The secret's value; throws `SecretNotFoundError` (naming the secret, never a value) when unset. */
  resolve(name: string): Promise<string>;
}

export const SECRET_ENV_PREFIX = 'FLINT_SECRET_';

/** `FLINT_SECRET_<NAME>`, NAME the secret's name upper-cased with every non-alphanumeric as `_`. */
export function secretEnvName(name: string): string {
  return SECRET_ENV_PREFIX + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export class SecretNotFoundError extends Error {
  override readonly name = 'SecretNotFoundError';

  constructor(
    readonly secretName: string,
    where: string,
  ) {
    super(`secret "${secretName}" is not configured (${where})`);
  }
}

/** Secrets from `FLINT_SECRET_<NAME>` environment variables; an empty value counts as unset. */
export class EnvSecretResolver implements SecretResolver {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  resolve(name: string): Promise<string> {
    const variable = secretEnvName(name);
    const value = this.env[variable];
    if (value === undefined || value === '') {
      return Promise.reject(new SecretNotFoundError(name, `set environment variable ${variable}`));
    }
    return Promise.resolve(value);
  }
}
