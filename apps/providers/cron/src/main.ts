import { runServiceMain } from '@flint/service-kit';
import { CronModule } from './cron.module';

runServiceMain('cron', (runtime) => CronModule.forRuntime(runtime));
