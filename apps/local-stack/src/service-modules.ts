import type { DynamicModule } from '@nestjs/common';
import type { ServiceName } from '@flint/contracts';
import type { ServiceRuntime } from '@flint/service-kit';
import { ApiModule } from '../../api/src/api.module';
import { CronModule } from '../../providers/cron/src/cron.module';
import { EvaluatorModule } from '../../evaluator/src/evaluator.module';
import { FileWatcherModule } from '../../providers/file-watcher/src/file-watcher.module';
import { PollerModule } from '../../providers/poller/src/poller.module';
import { RunnerModule } from '../../runner/src/runner.module';
import { SubscriberModule } from '../../providers/subscriber/src/subscriber.module';
import { WebhookModule } from '../../providers/webhook/src/webhook.module';

/**
 * Every service's root module by name. Which services run, and in which order, is the service
 * registry's (`SERVICES` in libs/contracts); this map only says how to build each.
 */
export const SERVICE_MODULES: Record<ServiceName, (runtime: ServiceRuntime) => DynamicModule> = {
  api: (runtime) => ApiModule.forRuntime(runtime),
  runner: (runtime) => RunnerModule.forRuntime(runtime),
  evaluator: (runtime) => EvaluatorModule.forRuntime(runtime),
  webhook: (runtime) => WebhookModule.forRuntime(runtime),
  poller: (runtime) => PollerModule.forRuntime(runtime),
  cron: (runtime) => CronModule.forRuntime(runtime),
  'file-watcher': (runtime) => FileWatcherModule.forRuntime(runtime),
  subscriber: (runtime) => SubscriberModule.forRuntime(runtime),
};
