import { runServiceMain } from '@flint/service-kit';
import { ApiModule } from './api.module';

runServiceMain('api', (runtime) => ApiModule.forRuntime(runtime));
