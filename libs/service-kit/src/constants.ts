export const SERVICE_RUNTIME = Symbol('SERVICE_RUNTIME');
export const KAFKA = Symbol('KAFKA');
export const STORE = Symbol('STORE');
export const TOPICS = Symbol('TOPICS');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const HEALTH_REPORTER = Symbol('HEALTH_REPORTER');
