import { reconnectBackoffFromEnv } from './subscriber-settings';

describe('reconnectBackoffFromEnv', () => {
  it('waits 500 ms at first, doubling to 30 s, when nothing is set', () => {
    expect(reconnectBackoffFromEnv({})).toEqual({ initialMs: 500, maxMs: 30_000 });
  });

  it('takes both waits from the environment', () => {
    expect(
      reconnectBackoffFromEnv({
        FLINT_SUBSCRIBER_RECONNECT_INITIAL_MS: '200',
        FLINT_SUBSCRIBER_RECONNECT_MAX_MS: '2000',
      }),
    ).toEqual({ initialMs: 200, maxMs: 2000 });
  });

  it.each([
    [{ FLINT_SUBSCRIBER_RECONNECT_INITIAL_MS: '0' }, 'FLINT_SUBSCRIBER_RECONNECT_INITIAL_MS'],
    [{ FLINT_SUBSCRIBER_RECONNECT_MAX_MS: 'soon' }, 'FLINT_SUBSCRIBER_RECONNECT_MAX_MS'],
    [{ FLINT_SUBSCRIBER_RECONNECT_INITIAL_MS: '60000' }, 'must not exceed'],
  ])('refuses %j, naming the problem', (env, named) => {
    expect(() => reconnectBackoffFromEnv(env)).toThrow(named);
  });
});
