import { runServiceMain } from '@flint/service-kit';
import { RunnerModule } from './runner.module';

runServiceMain('runner', (runtime) => RunnerModule.forRuntime(runtime));
