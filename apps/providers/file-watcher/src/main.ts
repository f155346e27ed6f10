import { runServiceMain } from '@flint/service-kit';
import { FileWatcherModule } from './file-watcher.module';

runServiceMain('file-watcher', (runtime) => FileWatcherModule.forRuntime(runtime));
