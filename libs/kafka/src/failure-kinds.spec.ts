import { isPermanentPublishError, isTooLargeError, isTransientError } from './failure-kinds';

function withProps(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}

describe('isTransientError', () => {
  it.each([
    [
      'a refused connection',
      withProps('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }),
    ],
    ['a reset socket', withProps('read ECONNRESET', { code: 'ECONNRESET' })],
    ['DNS not answering', withProps('getaddrinfo EAI_AGAIN db', { code: 'EAI_AGAIN' })],
    ['PostgreSQL shutting down (57P01)', withProps('terminating connection', { code: '57P01' })],
    ['too many connections (53300)', withProps('too many clients', { code: '53300' })],
    ['a connection failure (08006)', withProps('connection failure', { code: '08006' })],
    ['a deadlock (40P01)', withProps('deadlock detected', { code: '40P01' })],
    ['a serialization failure (40001)', withProps('could not serialize', { code: '40001' })],
    ['node-postgres losing its connection', new Error('Connection terminated unexpectedly')],
    ['a pool timing out', new Error('timeout exceeded when trying to connect')],
    [
      'kafkajs unable to connect',
      withProps('Connection error', { name: 'KafkaJSConnectionError' }),
    ],
    [
      'kafkajs giving up on a retriable broker answer',
      withProps('retries exceeded', {
        name: 'KafkaJSNumberOfRetriesExceeded',
        originalError: withProps('not leader', {
          name: 'KafkaJSProtocolError',
          type: 'NOT_LEADER_OR_FOLLOWER',
        }),
      }),
    ],
    [
      'an outage wrapped as a cause',
      new Error('claim failed', { cause: withProps('x', { code: 'ETIMEDOUT' }) }),
    ],
    [
      'an AggregateError of connection attempts',
      new AggregateError([withProps('a', { code: 'ECONNREFUSED' })], 'all attempts failed'),
    ],
    ['an error that says so itself', withProps('retry me', { transient: true })],
  ])('counts %s as an outage', (_what, err) => {
    expect(isTransientError(err)).toBe(true);
  });

  it.each([
    ['a stack overflow', new RangeError('Maximum call stack size exceeded')],
    [
      'a type error in a handler',
      new TypeError("cannot read properties of undefined (reading 'x')"),
    ],
    [
      'jsonb refusing a NUL (22P05)',
      withProps('unsupported Unicode escape sequence', { code: '22P05' }),
    ],
    ['a constraint violation (23505)', withProps('duplicate key', { code: '23505' })],
    [
      'a record the broker refuses for its size',
      withProps('too large', {
        name: 'KafkaJSNonRetriableError',
        originalError: withProps('MESSAGE_TOO_LARGE', {
          name: 'KafkaJSProtocolError',
          type: 'MESSAGE_TOO_LARGE',
        }),
      }),
    ],
    [
      'an error that declares itself permanent',
      withProps('no', { transient: false, code: 'ECONNREFUSED' }),
    ],
    ['something that is not an error', 'just a string'],
    ['nothing', undefined],
  ])('counts %s as the message’s own fault', (_what, err) => {
    expect(isTransientError(err)).toBe(false);
  });

  it('survives an error whose cause points back at itself', () => {
    const err = new Error('loop') as Error & { cause?: unknown };
    err.cause = err;
    expect(isTransientError(err)).toBe(false);
  });
});

describe('isPermanentPublishError / isTooLargeError', () => {
  const tooLarge = withProps('retries exceeded', {
    originalError: withProps('too large', { type: 'RECORD_LIST_TOO_LARGE' }),
  });

  it('finds a permanent protocol type wherever kafkajs wrapped it', () => {
    expect(isPermanentPublishError(tooLarge)).toBe(true);
    expect(isTooLargeError(tooLarge)).toBe(true);
    expect(isPermanentPublishError(withProps('x', { type: 'INVALID_RECORD' }))).toBe(true);
    expect(isTooLargeError(withProps('x', { type: 'INVALID_RECORD' }))).toBe(false);
    expect(isPermanentPublishError(withProps('x', { type: 'LEADER_NOT_AVAILABLE' }))).toBe(false);
  });
});
