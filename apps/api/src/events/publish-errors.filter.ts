import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { Log } from '@flint/common';
import type { ApiErrorBody } from '@flint/contracts';
import { SERVICE_RUNTIME, type ServiceRuntime, serviceLog } from '@flint/service-kit';
import type { FastifyReply } from 'fastify';
import { PublishUnavailableError } from './kafka-publisher';

/** Seconds a client should wait before trying again when Kafka is unavailable. */
export const PUBLISH_RETRY_AFTER_SECONDS = 5;

/** Kafka unavailable: 503 with Retry-After, so the caller retries (with the same event id). */
@Catch(PublishUnavailableError)
export class PublishErrorsFilter implements ExceptionFilter<PublishUnavailableError> {
  private readonly log: Log;

  constructor(@Inject(SERVICE_RUNTIME) runtime: ServiceRuntime) {
    this.log = serviceLog(runtime.logger, 'kafka-publisher');
  }

  catch(err: PublishUnavailableError, host: ArgumentsHost): void {
    this.log('warn', `nothing was published: ${err.message}`);
    const body: ApiErrorBody = {
      error: {
        code: 'kafka_unavailable',
        message: 'Kafka did not acknowledge the message, so nothing was accepted; retry later',
      },
    };
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(503)
      .header('retry-after', String(PUBLISH_RETRY_AFTER_SECONDS))
      .send(body);
  }
}
