import { z } from 'zod';
import { errorText } from './error-text';

describe('errorText', () => {
  it('lists the problems of a validation error by path', () => {
    const result = z.object({ port: z.number(), host: z.string() }).safeParse({ port: 'x' });
    expect(errorText(result.error)).toBe(
      'port: Invalid input: expected number, received string; host: Invalid input: expected string, received undefined',
    );
  });

  it("gives an error's message, else its code or name, and the errors an empty AggregateError holds", () => {
    expect(errorText(new Error('broker down'))).toBe('broker down');
    expect(errorText(Object.assign(new Error(''), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorText(new TypeError(''))).toBe('TypeError');
    expect(
      errorText(
        new AggregateError([
          new Error('connect ECONNREFUSED ::1:1'),
          new Error('connect ECONNREFUSED 127.0.0.1:1'),
        ]),
      ),
    ).toBe('connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1');
  });

  it('reads the message of a plain object and turns anything else into a string', () => {
    expect(errorText({ message: 'rejected' })).toBe('rejected');
    expect(errorText(42)).toBe('42');
  });
});
