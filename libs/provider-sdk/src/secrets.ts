import type { HeaderValue } from '@flint/contracts';
import type { ServiceRuntime } from '@flint/service-kit';
import { SecretCipher, SecretRepository, type Store, parseSecretKeyRing } from '@flint/store';

/**
 * Looks up secret values by the name a definition references (`secretRef`). Definitions never hold
 * secret values: they come from the API's encrypted store, else from the environment (or files).
 */
export interface SecretResolver {
  /**
   * The secret's value for a definition of `owner`; throws `SecretNotFoundError` (naming the secret,
   * never a value) when unset. A secret stored through the API belongs to one owner and is refused to
   * every other, so one team cannot point its definitions at another team's credentials; secrets
   * from the environment or mounted files are set by the operator and serve every owner.
   */
  resolve(name: string, owner: string): Promise<string>;
}

/** The secrets of one definition's owner: what a source's context and a target hand out. */
export interface OwnedSecrets {
  resolve(name: string): Promise<string>;
}

export function secretsOf(resolver: SecretResolver, owner: string): OwnedSecrets {
  return { resolve: (name) => resolver.resolve(name, owner) };
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
    /** What would configure it, such as the environment variable to set. */
    readonly where: string,
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

/** Where secrets set through the API (`PUT /api/secrets/:name`, `flint secret set`) are read from. */
export interface SecretSource {
  /** The value and its owner, or undefined when no secret of that name is stored. */
  open(name: string): Promise<StoredSecret | undefined>;
}

interface StoredSecret {
  value: string;
  owner: string;
}

/** How long a looked-up secret (or its absence) is reused: a rotated value takes effect this soon. */
export const STORED_SECRET_TTL_MS = 5000;

interface CachedSecret {
  secret: StoredSecret | undefined;
  until: number;
}

/**
 * Secrets from the encrypted store first, then from `fallback` (environment variables or files). A
 * short cache, absences included, keeps a busy webhook from querying the database on every call. A
 * store that fails (database down, undecryptable secret) fails the lookup rather than silently
 * using an older value from the fallback.
 */
export class StoredSecretResolver implements SecretResolver {
  private readonly cache = new Map<string, CachedSecret>();
  private readonly pending = new Map<string, Promise<StoredSecret | undefined>>();

  constructor(
    private readonly stored: SecretSource,
    private readonly fallback: SecretResolver,
    private readonly options: { ttlMs?: number; nowMs?: () => number } = {},
  ) {}

  async resolve(name: string, owner: string): Promise<string> {
    const stored = await this.lookUp(name);
    if (stored !== undefined) {
      if (stored.owner === owner) return stored.value;
      // Not falling back to the environment: the name is taken, and by someone else.
      throw new SecretNotFoundError(
        name,
        `the stored secret of that name belongs to another owner; owner "${owner}" needs its own, under another name`,
      );
    }
    try {
      return await this.fallback.resolve(name, owner);
    } catch (err) {
      if (!(err instanceof SecretNotFoundError)) throw err;
      throw new SecretNotFoundError(
        name,
        `store it with "npx flint secret set ${name}", or ${err.where}`,
      );
    }
  }

  private async lookUp(name: string): Promise<StoredSecret | undefined> {
    const now = (this.options.nowMs ?? Date.now)();
    const cached = this.cache.get(name);
    if (cached && cached.until > now) return cached.secret;
    let pending = this.pending.get(name);
    if (!pending) {
      pending = this.stored.open(name).finally(() => this.pending.delete(name));
      this.pending.set(name, pending);
    }
    const secret = await pending;
    this.cache.set(name, { secret, until: now + (this.options.ttlMs ?? STORED_SECRET_TTL_MS) });
    return secret;
  }
}

/**
 * `fallback` behind the encrypted store when FLINT_SECRETS_KEYS is set (the key ring the API encrypts
 * with); just `fallback` otherwise, as no stored secret could be decrypted anyway.
 */
export function storedSecretsFirst(
  store: Store,
  env: NodeJS.ProcessEnv,
  fallback: SecretResolver,
): SecretResolver {
  const keyRing = parseSecretKeyRing(env.FLINT_SECRETS_KEYS);
  if (!keyRing) return fallback;
  return new StoredSecretResolver(new SecretRepository(store, new SecretCipher(keyRing)), fallback);
}

/** The providers' secrets: the encrypted store, then `FLINT_SECRET_<NAME>` variables. */
export function providerSecrets(runtime: ServiceRuntime): SecretResolver {
  return storedSecretsFirst(runtime.store, runtime.env, new EnvSecretResolver(runtime.env));
}

/**
 * Header values (literal, or `{ secretRef }`) with their secrets looked up; call it for every request
 * or connection, so a rotated secret is used.
 */
export async function resolveHeaders(
  headers: Record<string, HeaderValue>,
  secrets: OwnedSecrets,
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(headers).map(
      async ([name, value]) =>
        [name, typeof value === 'string' ? value : await secrets.resolve(value.secretRef)] as const,
    ),
  );
  return Object.fromEntries(entries);
}
