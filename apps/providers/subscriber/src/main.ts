import { runServiceMain } from '@flint/service-kit';
import { SubscriberModule } from './subscriber.module';

runServiceMain('subscriber', (runtime) => SubscriberModule.forRuntime(runtime));
