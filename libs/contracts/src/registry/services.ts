/**
 * Every long-running Flint service, in the order the local stack starts them (the services that consume
 * before those that produce). Ports are the defaults of `FLINT_<NAME>_PORT`. A provider service runs
 * source kinds (see `SOURCE_KINDS`) and lives in `apps/providers/<name>`; a core service lives in
 * `apps/<name>`. Adding a service here makes the deploy tests ask for its manifests.
 */
export const SERVICES = {
  api: { port: 8080, role: 'core' },
  runner: { port: 8086, role: 'core' },
  evaluator: { port: 8085, role: 'core' },
  webhook: { port: 8081, role: 'provider' },
  poller: { port: 8082, role: 'provider' },
  cron: { port: 8083, role: 'provider' },
  'file-watcher': { port: 8084, role: 'provider' },
  subscriber: { port: 8087, role: 'provider' },
} as const satisfies Record<string, ServiceEntry>;

export interface ServiceEntry {
  /** The default port; every service answers `/health` and `/metrics` on it. */
  readonly port: number;
  readonly role: 'core' | 'provider';
}

export type ServiceName = keyof typeof SERVICES;
export type ProviderServiceName = {
  [S in ServiceName]: (typeof SERVICES)[S]['role'] extends 'provider' ? S : never;
}[ServiceName];
