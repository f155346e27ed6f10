import { type DynamicModule, Inject, Module } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { ServiceRuntime } from '@flint/service-kit';
import { SecretCipher, SecretRepository, parseSecretKeyRing } from '@flint/store';
import type { FastifyInstance } from 'fastify';
import { ApiKeyRepository } from '../keys/api-key-repository';
import { ApiKeys } from '../keys/api-keys';
import { KeysController } from '../keys/keys.controller';
import { ApiSecrets } from '../secrets/api-secrets';
import { SecretsController } from '../secrets/secrets.controller';
import { type AccessSettings, accessSettingsFromEnv } from './access-settings';
import { ApiAccessGuard } from './api-access.guard';
import { ApiKeyAuthenticator } from './api-key';
import { TokenBucketLimiter } from './rate-limiter';
import { limitApiRequestBodies } from './request-body-limit';

const ACCESS_SETTINGS = Symbol('ACCESS_SETTINGS');

/**
 * Who may call the API and how much: the global key guard with its rate limit, the body limit, API
 * keys and secrets. A bad FLINT_SECRETS_KEYS or limit fails the boot with the variable named.
 */
@Module({})
export class AccessModule {
  constructor(adapterHost: HttpAdapterHost, @Inject(ACCESS_SETTINGS) settings: AccessSettings) {
    // Nest registers its routes after creating the providers, so the hook sees every route.
    limitApiRequestBodies(
      adapterHost.httpAdapter.getInstance<FastifyInstance>(),
      settings.bodyLimitBytes,
    );
  }

  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    const settings = accessSettingsFromEnv(runtime.env);
    const keyRing = parseSecretKeyRing(runtime.env.FLINT_SECRETS_KEYS);
    const keys = new ApiKeyRepository(runtime.store);
    const authenticator = new ApiKeyAuthenticator(keys, {
      bootstrapKey: settings.bootstrapKey,
      onMarkUsedError: (err) =>
        runtime.logger.warn({ err: String(err) }, 'could not record when an API key was last used'),
    });
    return {
      module: AccessModule,
      controllers: [KeysController, SecretsController],
      providers: [
        { provide: ACCESS_SETTINGS, useValue: settings },
        { provide: ApiKeyAuthenticator, useValue: authenticator },
        { provide: TokenBucketLimiter, useValue: new TokenBucketLimiter(settings.rateLimit) },
        { provide: APP_GUARD, useClass: ApiAccessGuard },
        { provide: ApiKeys, useValue: new ApiKeys(keys) },
        {
          provide: ApiSecrets,
          useValue: new ApiSecrets(
            keyRing && new SecretRepository(runtime.store, new SecretCipher(keyRing)),
          ),
        },
      ],
    };
  }
}
