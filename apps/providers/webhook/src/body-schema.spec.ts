import { InvalidSourceError } from '@flint/provider-sdk';
import { compileBodySchema } from './body-schema';

describe('compileBodySchema', () => {
  it('reports every failing path of a body', () => {
    const validate = compileBodySchema({
      type: 'object',
      required: ['action'],
      additionalProperties: false,
      properties: {
        action: { type: 'string', enum: ['opened', 'closed'] },
        sender: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
        'odd/key': { type: 'number' },
        action2: { type: 'string' },
      },
    });
    expect(validate({ action: 'opened' })).toEqual([]);
    expect(validate({ sender: { email: 'nope' }, extra: 1, 'odd/key': 'x' })).toEqual([
      { path: 'action', message: 'is required' },
      { path: 'extra', message: 'is not allowed' },
      { path: 'sender.email', message: 'must match format "email"' },
      { path: '["odd/key"]', message: 'must be number' },
    ]);
  });

  it('uses the draft the schema names', () => {
    const validate = compileBodySchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'string' }],
    });
    expect(validate(['a'])).toEqual([]);
    expect(validate([1])).toEqual([{ path: '[0]', message: 'must be string' }]);
  });

  it('refuses a schema that does not compile when the source is defined', () => {
    expect(() => compileBodySchema({ type: 'no-such-type' })).toThrow(InvalidSourceError);
    expect(() => compileBodySchema({ type: 'no-such-type' })).toThrow(
      /^config.jsonSchema does not compile: /,
    );
  });
});
