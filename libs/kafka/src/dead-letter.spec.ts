import { z } from 'zod';
import { MessageDecodeError } from '@flint/contracts';
import { deadLetterCause } from './dead-letter';

describe('deadLetterCause', () => {
  it('keeps the reason a decode error carries', () => {
    expect(deadLetterCause(new MessageDecodeError('missing header ce_id'))).toEqual({
      reason: 'undecodable',
      error: 'missing header ce_id',
    });
    expect(deadLetterCause(new MessageDecodeError('invalid CloudEvent: x', 'invalid'))).toEqual({
      reason: 'invalid',
      error: 'invalid CloudEvent: x',
    });
  });

  it('calls a contract violation found by a zod schema invalid, with the paths', () => {
    const result = z.object({ runId: z.string() }).safeParse({ runId: 5 });
    expect(deadLetterCause(result.error)).toEqual({
      reason: 'invalid',
      error: 'runId: Invalid input: expected string, received number',
    });
  });

  it('calls anything else a decoder throws undecodable', () => {
    expect(deadLetterCause(new SyntaxError('Unexpected end of JSON input'))).toEqual({
      reason: 'undecodable',
      error: 'Unexpected end of JSON input',
    });
  });
});
