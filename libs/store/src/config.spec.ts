import { pgliteDataDir, StoreConfigError, storeConfigFromEnv } from './config';

describe('storeConfigFromEnv', () => {
  it('defaults to the embedded database in .flint/data with a pool of 10', () => {
    const config = storeConfigFromEnv({});
    expect(config).toEqual({ databaseUrl: undefined, dataDir: '.flint/data', poolMax: 10 });
    expect(pgliteDataDir(config)).toBe('.flint/data/pglite');
  });

  it('reads a postgres:// or postgresql:// URL, a data folder and a pool size', () => {
    expect(
      storeConfigFromEnv({
        DATABASE_URL: 'postgresql://flint:pw@db.internal:6543/flint',
        FLINT_DATA_DIR: '/var/lib/flint',
        DATABASE_POOL_MAX: '25',
      }),
    ).toEqual({
      databaseUrl: 'postgresql://flint:pw@db.internal:6543/flint',
      dataDir: '/var/lib/flint',
      poolMax: 25,
    });
    expect(storeConfigFromEnv({ DATABASE_URL: 'postgres://localhost/x' }).databaseUrl).toBe(
      'postgres://localhost/x',
    );
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(storeConfigFromEnv({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['mysql://root@localhost/db', 'DATABASE_URL: must be a postgres:// or postgresql:// URL'],
    ['not a url', 'DATABASE_URL: must be a postgres:// or postgresql:// URL'],
  ])('rejects DATABASE_URL %j with the variable named', (url, message) => {
    expect(() => storeConfigFromEnv({ DATABASE_URL: url })).toThrow(StoreConfigError);
    expect(() => storeConfigFromEnv({ DATABASE_URL: url })).toThrow(message);
  });

  it('never repeats the URL in the error, since it may hold a password', () => {
    expect(() => storeConfigFromEnv({ DATABASE_URL: 'mysql://u:hunter2@h/db' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });

  it.each([
    ['0', 'DATABASE_POOL_MAX: must be at least 1'],
    ['2.5', 'DATABASE_POOL_MAX: must be a whole number'],
    ['ten', 'DATABASE_POOL_MAX: must be a whole number'],
    ['5000', 'DATABASE_POOL_MAX: must be at most 1000'],
  ])('rejects DATABASE_POOL_MAX=%j', (value, message) => {
    expect(() => storeConfigFromEnv({ DATABASE_POOL_MAX: value })).toThrow(message);
  });

  it('names every bad variable at once', () => {
    expect(() => storeConfigFromEnv({ DATABASE_URL: 'http://x', DATABASE_POOL_MAX: '-1' })).toThrow(
      /DATABASE_URL: .*; DATABASE_POOL_MAX: /,
    );
  });
});
