import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HttpErrorShapeFilter } from './http-error-shape.filter';
import 'reflect-metadata';
import { type DynamicModule, type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FlintKafkaServer } from '@flint/kafka';
import type { ServiceName } from '@flint/contracts';
import { asService } from '@flint/telemetry';
import { CONSUMER_TRANSPORT } from './kafka-transport';
import { NestLogger } from './nest-logger';
import { type RuntimeOptions, type ServiceRuntime, openServiceRuntime } from './service-runtime';

export interface RunningService {
  readonly runtime: ServiceRuntime;
  readonly app: INestApplication;
  /** The address the service listens on, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /**
   * Resolves once the service consumes its topics (its Kafka transport's consumer joined the group);
   * at once for a service that consumes nothing.
   */
  readonly consuming: Promise<void>;
  stop(): Promise<void>;
}

export interface StartServiceOptions extends RuntimeOptions {
  /** `false` silences Nest's own messages (tests); by default they go to the service's JSON logger. */
  logger?: false;
  /** Install SIGTERM/SIGINT handlers; off when a launcher manages several services in one process. */
  handleSignals?: boolean;
}

/**
 * Boots one service: runtime first (fails fast on bad configuration or an unreachable database), then
 * the Nest application on Fastify. `stop()` closes Nest (running every shutdown hook, so consumers drain)
 * and then the runtime's connections.
 */
export function startService(
  service: ServiceName,
  buildModule: (runtime: ServiceRuntime) => DynamicModule,
  options: StartServiceOptions = {},
): Promise<RunningService> {
  // Everything the service sets going while it boots (consumers, loops, its HTTP server) inherits
  // this context, so its spans carry its own service.name even with other services in the process.
  return asService(serviceTraceName(service), () => boot(service, buildModule, options));
}

/** `service.name` of a service's spans, e.g. `flint-webhook`. */
export function serviceTraceName(service: ServiceName): string {
  return `flint-${service}`;
}

async function boot(
  service: ServiceName,
  buildModule: (runtime: ServiceRuntime) => DynamicModule,
  options: StartServiceOptions,
): Promise<RunningService> {
  const runtime = await openServiceRuntime(service, options);
  let app: NestFastifyApplication;
  const nestLogger =
    options.logger === false
      ? undefined
      : new NestLogger(runtime.logger, serviceTraceName(service));
  let consuming = Promise.resolve();
  try {
    const module = buildModule(runtime);
    app = await NestFactory.create<NestFastifyApplication>(module, fastifyAdapter(), {
      logger: options.logger,
      bufferLogs: options.logger !== false,
      abortOnError: false,
    });
    if (nestLogger) app.useLogger(nestLogger);
    app.useGlobalFilters(new HttpErrorShapeFilter());
    if (declaresTransport(module)) {
      const transport = app.get<FlintKafkaServer>(CONSUMER_TRANSPORT);
      app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
      await app.startAllMicroservices();
      consuming = transport.listening;
    }
    await app.listen(runtime.config.port, runtime.config.host);
  } catch (err) {
    nestLogger?.release();
    await runtime.close();
    throw err;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : runtime.config.port;
  const host = runtime.config.host === '0.0.0.0' ? '127.0.0.1' : runtime.config.host;
  let stopped: Promise<void> | undefined;
  const running: RunningService = {
    runtime,
    app,
    url: `http://${host}:${port}`,
    consuming,
    stop() {
      stopped ??= app
        .close()
        .then(() => runtime.close())
        .finally(() => nestLogger?.release());
      return stopped;
    },
  };
  if (options.handleSignals ?? true) {
    exitOnSignal(() => running.stop(), runtime.config.shutdownTimeoutMs, new Logger(service));
  }
  return running;
}

/** Whether the service's root module registers a Kafka transport (`CONSUMER_TRANSPORT`). */
function declaresTransport(module: DynamicModule): boolean {
  return (module.providers ?? []).some(
    (provider) =>
      typeof provider === 'object' &&
      'provide' in provider &&
      provider.provide === CONSUMER_TRANSPORT,
  );
}

/**
 * SIGTERM (Kubernetes, docker stop) or SIGINT (Ctrl-C) drains the service and exits 0; a drain that
 * outlives the timeout exits 1 rather than hanging past the pod's grace period unnoticed.
 *
 * Signals that come while draining are acknowledged and ignored: one Ctrl-C reaches every process
 * of the terminal's foreground group and `scripts/start.mjs` forwards it once more, and dying of
 * that second copy (Node's default once no listener is left) would skip leaving the consumer
 * groups, so the next start would wait out Kafka's session timeout before consuming.
 */
export function exitOnSignal(
  stop: () => Promise<void>,
  timeoutMs: number,
  logger: Pick<Logger, 'log' | 'error'>,
): void {
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      logger.log(`${signal} received again; still draining (at most ${timeoutMs} ms)`);
      return;
    }
    draining = true;
    logger.log(`${signal} received, draining`);
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${timeoutMs} ms, exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Fastify answers a request it cannot route (a URL with broken percent-encoding, like `/hooks/%/`)
 * before any Nest or route error handler sees it; that answer gets Flint's error shape too.
 */
function fastifyAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void reply
        .code(400)
        .type('application/json; charset=utf-8')
        .send({ error: { code: 'invalid_request', message: error.message } });
    },
  });
}
