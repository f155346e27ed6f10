import { describeAttempts } from './run-attempts';

describe('describeAttempts', () => {
  const error = { type: 'PaymentDeclinedError', message: 'declined' };

  it('says a failure after fewer attempts than allowed was not retried', () => {
    expect(describeAttempts({ status: 'FAILED', attempts: 1, maxAttempts: 3, error })).toBe(
      '1 (not retried: PaymentDeclinedError is final)',
    );
    expect(describeAttempts({ status: 'FAILED', attempts: 0, maxAttempts: 3 })).toBe(
      '0 (not retried: the failure is final)',
    );
  });

  it('counts against the limit otherwise', () => {
    expect(describeAttempts({ status: 'FAILED', attempts: 3, maxAttempts: 3, error })).toBe(
      '3 of 3',
    );
    expect(describeAttempts({ status: 'STARTED', attempts: 1, maxAttempts: 3 })).toBe('1 of 3');
    expect(describeAttempts({ status: 'SUCCEEDED', attempts: 2, maxAttempts: 3 })).toBe('2 of 3');
  });
});
