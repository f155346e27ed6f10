import { SERVICES, type ServiceName } from '@flint/contracts';
import { z } from 'zod';

export interface ServiceConfig {
  service: ServiceName;
  host: string;
  port: number;
  shutdownTimeoutMs: number;
}

const port = z.coerce.number().int().min(0).max(65535);

/** `file-watcher` → `FLINT_FILE_WATCHER_PORT`. */
export function portVariable(service: ServiceName): string {
  return `FLINT_${service.toUpperCase().replace(/-/g, '_')}_PORT`;
}

export function serviceConfigFromEnv(
  service: ServiceName,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const schema = z.object({
    [portVariable(service)]: port.default(SERVICES[service].port),
    FLINT_HOST: z.string().min(1).default('0.0.0.0'),
    FLINT_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(20000),
  });
  const parsed = parseEnv(schema, env);
  return {
    service,
    host: parsed.FLINT_HOST as string,
    port: parsed[portVariable(service)] as number,
    shutdownTimeoutMs: parsed.FLINT_SHUTDOWN_TIMEOUT_MS as number,
  };
}

/** Parses environment variables, failing with every bad variable named — a service must not boot on a typo. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
