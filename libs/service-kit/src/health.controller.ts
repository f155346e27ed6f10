import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HEALTH_REPORTER } from './constants';
import { HealthReporter } from './health-check';

@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_REPORTER) private readonly reporter: HealthReporter) {}

  /** Readiness: 503 while Kafka or the database is unusable, so no traffic reaches a service that would fail it. */
  @Get()
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.reporter.report();
    await reply.status(report.status === 'ok' ? 200 : 503).send(report);
  }

  /** Liveness: the process answers. Kafka being down must not make Kubernetes restart every pod. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
