import { runServiceMain } from '@flint/service-kit';
import { PollerModule } from './poller.module';

runServiceMain('poller', (runtime) => PollerModule.forRuntime(runtime));
