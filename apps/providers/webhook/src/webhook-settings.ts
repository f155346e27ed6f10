import { formatZodIssues } from '@flint/contracts';
import { z } from 'zod';

const WebhookSettingsSchema = z.object({
  FLINT_WEBHOOK_ACK_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100')
    .max(120_000, 'must be at most 120000')
    .default(5000),
});

export interface WebhookSettings {
  /** How long a call waits for Kafka to acknowledge its event before it is answered 503. */
  ackTimeoutMs: number;
}

export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv): WebhookSettings {
  const parsed = WebhookSettingsSchema.safeParse({
    FLINT_WEBHOOK_ACK_TIMEOUT_MS: env.FLINT_WEBHOOK_ACK_TIMEOUT_MS || undefined,
  });
  if (!parsed.success) {
    const problems = formatZodIssues(parsed.error).map((issue) => `${issue.path} ${issue.message}`);
    throw new Error(`invalid webhook configuration: ${problems.join('; ')}`);
  }
  return { ackTimeoutMs: parsed.data.FLINT_WEBHOOK_ACK_TIMEOUT_MS };
}
