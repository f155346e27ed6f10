export * from './service-context';
export * from './service-tracer-provider';
export * from './telemetry';
export * from './trace-context';
