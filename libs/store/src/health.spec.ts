import { storeHealthCheck } from './health';
import type { Store } from './store';

function storeWhosePing(ping: () => Promise<void>): Store {
  return {
    kind: 'postgres',
    ping,
    query: async () => [],
    transaction: async () => {
      throw new Error('not used');
    },
    close: async () => undefined,
  };
}

describe('storeHealthCheck', () => {
  it('is named database and passes when the database answers', async () => {
    const check = storeHealthCheck(storeWhosePing(async () => undefined));
    expect(check.name).toBe('database');
    await expect(check.check()).resolves.toBeUndefined();
  });

  it('fails with the reason the database gave', async () => {
    const check = storeHealthCheck(
      storeWhosePing(async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      }),
    );
    await expect(check.check()).rejects.toThrow(
      'postgres is unreachable: connect ECONNREFUSED 127.0.0.1:5432',
    );
  });

  it('fails when the database does not answer in time', async () => {
    const check = storeHealthCheck(
      storeWhosePing(() => new Promise(() => undefined)),
      50,
    );
    await expect(check.check()).rejects.toThrow(
      'postgres is unreachable: postgres did not answer SELECT 1 within 50 ms',
    );
  });
});
