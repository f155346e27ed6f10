import type { RunRequest } from '@flint/contracts';
import { KeyExpressionError, KeyExpressions } from './key-expression';

const request = {
  runId: 'orders.1',
  triggerId: 'orders',
  eventIds: ['e-1', 'e-2'],
  input: { customer: { id: 'c-7' }, total: 12 },
} as unknown as RunRequest;

describe('KeyExpressions', () => {
  const keys = new KeyExpressions();

  it('evaluates CEL over the input and the run', async () => {
    expect(await keys.evaluate('input.customer.id', request)).toBe('c-7');
    expect(await keys.evaluate("run.triggerId + '/' + input.customer.id", request)).toBe(
      'orders/c-7',
    );
    expect(await keys.evaluate('input.total', request)).toBe('12');
    expect(await keys.evaluate('run.eventIds[1]', request)).toBe('e-2');
  });

  it('explains an expression that does not compile, fails, or gives no usable key', async () => {
    await expect(keys.evaluate('input.(', request)).rejects.toThrow(
      new KeyExpressionError(
        'key expression "input.(" does not compile: Expected IDENTIFIER, got LPAREN',
      ),
    );
    await expect(keys.evaluate('input.nothing', request)).rejects.toThrow(
      'key expression "input.nothing" failed: No such key: nothing',
    );
    await expect(keys.evaluate('input.customer', request)).rejects.toThrow(
      'key expression "input.customer" must give a non-empty string or a number, got a map',
    );
  });
});
