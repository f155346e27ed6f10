export * from './bootstrap';
export * from './constants';
export * from './health-check';
export * from './metrics';
export * from './service-config';
export * from './service-kit.module';
export * from './service-runtime';
export * from './run-service';
