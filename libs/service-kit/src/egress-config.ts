import { EgressPolicy } from '@flint/common';
import { z } from 'zod';
import { ConfigError, parseEnv } from './service-config';

const EgressEnvSchema = z.object({
  FLINT_EGRESS_PRIVATE: z
    .enum(['allow', 'deny'], { error: 'expected allow or deny' })
    .default('allow'),
  FLINT_EGRESS_ALLOW: z.string().default(''),
});

/**
 * The egress rules of a service that connects to user-chosen URLs: link-local and cloud metadata
 * addresses are always refused, private and loopback ones when `FLINT_EGRESS_PRIVATE=deny`, and
 * `FLINT_EGRESS_ALLOW` (CIDRs, addresses, host names, `*.domain`) lets the operator through anyway.
 */
export function egressPolicyFromEnv(env: NodeJS.ProcessEnv): EgressPolicy {
  const parsed = parseEnv(EgressEnvSchema, env);
  try {
    return new EgressPolicy({
      refusePrivate: parsed.FLINT_EGRESS_PRIVATE === 'deny',
      allow: parsed.FLINT_EGRESS_ALLOW.split(',').filter((entry) => entry.trim() !== ''),
    });
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
}
