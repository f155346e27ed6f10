import type { WebhookConfig } from '@flint/contracts';
import {
  type Emit,
  type SourceContext,
  type SourceProviderImpl,
  SecretNotFoundError,
} from '@flint/provider-sdk';
import { compileBodySchema } from './body-schema';
import { type PreparedWebhook, WebhookEndpoint } from './webhook-endpoint';
import type { WebhookRouter } from './webhook-router';
import type { WebhookSettings } from './webhook-settings';

/** Runs a webhook source by serving its path for as long as the source runs. */
export class WebhookProvider implements SourceProviderImpl<'webhook', PreparedWebhook> {
  readonly kind = 'webhook';

  constructor(
    private readonly router: WebhookRouter,
    private readonly settings: WebhookSettings,
  ) {}

  validate(config: WebhookConfig): PreparedWebhook {
    if (config.jsonSchema === undefined) return { config };
    return { config, validateBody: compileBodySchema(config.jsonSchema) };
  }

  async run(ctx: SourceContext<'webhook', PreparedWebhook>, emit: Emit): Promise<void> {
    await this.warnIfSecretMissing(ctx);
    const endpoint = new WebhookEndpoint({
      source: ctx.source,
      prepared: ctx.config,
      emit,
      secrets: ctx.secrets,
      clock: ctx.clock,
      log: ctx.log,
      health: ctx.health,
      ackTimeoutMs: this.settings.ackTimeoutMs,
    });
    const unregister = this.router.register(ctx.config.config.path, endpoint);
    try {
      await untilAborted(ctx.signal);
    } finally {
      unregister();
    }
  }

  /** Calls will be refused with 500 until the secrets exist; say so now rather than on each call. */
  private async warnIfSecretMissing(ctx: SourceContext<'webhook', PreparedWebhook>): Promise<void> {
    const auth = ctx.config.config.auth;
    if (auth.type === 'none') return;
    const names = [
      auth.secretRef,
      ...('additionalSecretRefs' in auth ? (auth.additionalSecretRefs ?? []) : []),
      ...(auth.type === 'meta' ? [auth.verifyTokenRef] : []),
    ];
    for (const name of names) {
      try {
        await ctx.secrets.resolve(name);
      } catch (err) {
        if (!(err instanceof SecretNotFoundError)) throw err;
        ctx.log('warn', `calls will be refused until the secret is configured: ${err.message}`);
      }
    }
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
