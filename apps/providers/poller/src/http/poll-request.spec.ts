import { asHttpPollerConfig, PollerConfigSchema } from '@flint/contracts';
import { buildPollRequest, requestSignature } from './poll-request';

const config = (extra: Record<string, unknown>) =>
  asHttpPollerConfig(
    PollerConfigSchema.parse({
      url: 'https://api.example.com/items?fixed=1',
      intervalSeconds: 60,
      itemKey: 'item.id',
      ...extra,
    }),
  );

describe('buildPollRequest', () => {
  it('puts the cursor into its parameter and into templated query values', () => {
    const request = buildPollRequest(
      config({
        query: { since: '{{cursor}}', filter: 'after:{{cursor}}', limit: '50' },
        cursor: { from: 'max-field', field: 'item.n', param: 'cursor' },
      }),
      42,
      { Authorization: 'Bearer t' },
    );
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe('https://api.example.com/items');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      fixed: '1',
      since: '42',
      filter: 'after:42',
      limit: '50',
      cursor: '42',
    });
    expect(request).toMatchObject({
      method: 'GET',
      headers: { accept: 'application/json', Authorization: 'Bearer t' },
    });
    expect(request.body).toBeUndefined();
  });

  it('leaves out query values that need a cursor before there is one', () => {
    const request = buildPollRequest(
      config({
        query: { since: '{{cursor}}', limit: '50' },
        cursor: { from: 'next-page-token', path: '$.next', param: 'page' },
      }),
      undefined,
      {},
    );
    expect(Object.fromEntries(new URL(request.url).searchParams)).toEqual({
      fixed: '1',
      limit: '50',
    });
  });

  it('fills the cursor into a POST body, keeping its type where the whole value is the cursor', () => {
    const body = {
      filter: { since: '{{cursor}}', label: 'from {{cursor}}' },
      list: ['{{cursor}}'],
    };
    const withCursor = buildPollRequest(
      config({ method: 'POST', body, cursor: { from: 'max-field', field: 'item.n' } }),
      7,
      {},
    );
    expect(withCursor.headers['content-type']).toBe('application/json');
    expect(JSON.parse(withCursor.body as string)).toEqual({
      filter: { since: 7, label: 'from 7' },
      list: [7],
    });
    const without = buildPollRequest(
      config({ method: 'POST', body, cursor: { from: 'max-field', field: 'item.n' } }),
      undefined,
      {},
    );
    expect(JSON.parse(without.body as string)).toEqual({
      filter: { since: null, label: 'from ' },
      list: [null],
    });
  });

  it('gives equal requests equal signatures and others different ones', () => {
    const c = config({ cursor: { from: 'max-field', field: 'item.n', param: 'since' } });
    expect(requestSignature(buildPollRequest(c, 1, {}))).toBe(
      requestSignature(buildPollRequest(c, 1, {})),
    );
    expect(requestSignature(buildPollRequest(c, 1, {}))).not.toBe(
      requestSignature(buildPollRequest(c, 2, {})),
    );
  });
});
