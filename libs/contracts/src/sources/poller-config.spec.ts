import { problemsOf } from '../spec-helpers';
import { PollerConfigSchema } from './poller-config';

const minimal = { url: 'https://api.example.com/items', intervalSeconds: 60, itemKey: 'item.id' };

describe('PollerConfigSchema', () => {
  it('accepts templated query values, a cursor without param and the optional settings', () => {
    const config = {
      ...minimal,
      query: { updated_after: '{{cursor}}', limit: '100' },
      cursor: { from: 'max-field', field: 'item.updated_at', initial: '2024-01-01T00:00:00Z' },
      eventType: 'com.example.item.changed',
      rememberKeys: 5000,
    };
    expect(PollerConfigSchema.parse(config)).toMatchObject(config);
  });

  it('accepts the cursor placeholder in a POST body', () => {
    const config = {
      ...minimal,
      method: 'POST',
      body: { filter: { since: '{{cursor}}' } },
      cursor: { from: 'next-page-token', path: '$.next' },
    };
    expect(PollerConfigSchema.parse(config)).toMatchObject(config);
  });

  it('rejects a cursor that is never sent', () => {
    expect(
      problemsOf(PollerConfigSchema, {
        ...minimal,
        cursor: { from: 'next-page-token', path: '$.next' },
      }),
    ).toEqual([
      {
        path: 'cursor',
        message:
          'is never sent: set cursor.param, or write {{cursor}} in a query value or in the body',
      },
    ]);
  });

  it('rejects an initial cursor that is not a string or number, and a tiny key memory', () => {
    expect(
      problemsOf(PollerConfigSchema, {
        ...minimal,
        cursor: { from: 'max-field', field: 'item.n', param: 'since', initial: true },
        rememberKeys: 10,
      }),
    ).toEqual([
      { path: 'cursor.initial', message: 'must be a string or a number' },
      { path: 'rememberKeys', message: 'must be at least 100' },
    ]);
  });
});
