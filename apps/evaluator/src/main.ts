import { runServiceMain } from '@flint/service-kit';
import { EvaluatorModule } from './evaluator.module';

runServiceMain('evaluator', (runtime) => EvaluatorModule.forRuntime(runtime));
