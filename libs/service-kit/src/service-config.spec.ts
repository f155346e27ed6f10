import { ConfigError, portVariable, serviceConfigFromEnv } from './service-config';

describe('serviceConfigFromEnv', () => {
  it('uses the default port of each service', () => {
    expect(serviceConfigFromEnv('api', {}).port).toBe(8080);
    expect(serviceConfigFromEnv('file-watcher', {}).port).toBe(8084);
    expect(serviceConfigFromEnv('runner', {}).port).toBe(8086);
  });

  it('reads the service port from its own variable', () => {
    expect(portVariable('file-watcher')).toBe('FLINT_FILE_WATCHER_PORT');
    const config = serviceConfigFromEnv('file-watcher', { FLINT_FILE_WATCHER_PORT: '9999' });
    expect(config.port).toBe(9999);
    expect(serviceConfigFromEnv('api', { FLINT_FILE_WATCHER_PORT: '9999' }).port).toBe(8080);
  });

  it('refuses a port that is not a port, naming the variable', () => {
    expect(() => serviceConfigFromEnv('webhook', { FLINT_WEBHOOK_PORT: 'eighty' })).toThrow(
      ConfigError,
    );
    expect(() => serviceConfigFromEnv('webhook', { FLINT_WEBHOOK_PORT: '70000' })).toThrow(
      /FLINT_WEBHOOK_PORT/,
    );
  });
});
