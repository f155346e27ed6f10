import { runServiceMain } from '@flint/service-kit';
import { WebhookModule } from './webhook.module';

runServiceMain('webhook', (runtime) => WebhookModule.forRuntime(runtime));
