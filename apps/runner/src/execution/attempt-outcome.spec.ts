import { errorOf } from './attempt-outcome';

class PaymentDeclinedError extends Error {}
class CardExpiredError extends PaymentDeclinedError {}
class NamedError extends Error {
  override readonly name = 'GatewayError';
}
class ExplicitlyPlainError extends Error {
  override readonly name = 'Error';
}

describe('errorOf', () => {
  it('records the class name of an error class that does not set name', () => {
    expect(errorOf(new PaymentDeclinedError('card declined'))).toEqual({
      type: 'PaymentDeclinedError',
      message: 'card declined',
    });
    expect(errorOf(new CardExpiredError('expired')).type).toBe('CardExpiredError');
  });

  it('prefers a name the error class set, and keeps Error for a plain Error', () => {
    expect(errorOf(new NamedError('down')).type).toBe('GatewayError');
    expect(errorOf(new TypeError('x is not a function')).type).toBe('TypeError');
    expect(errorOf(new Error('plain')).type).toBe('Error');
    expect(errorOf(new ExplicitlyPlainError('said so')).type).toBe('Error');
    const renamed = new PaymentDeclinedError('renamed');
    renamed.name = 'Error';
    expect(errorOf(renamed).type).toBe('Error');
  });

  it('describes what is not an Error', () => {
    expect(errorOf('just a string')).toEqual({ type: 'Error', message: 'just a string' });
    expect(errorOf({ code: 42 })).toEqual({ type: 'Error', message: '{"code":42}' });
  });
});
