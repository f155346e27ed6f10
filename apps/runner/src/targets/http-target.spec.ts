import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressPolicy } from '@flint/common';
import type { HttpTarget, RunRequest } from '@flint/contracts';
import { EnvSecretResolver } from '@flint/provider-sdk';
import { HttpTargetStarter } from './http-target';

/** A loopback server whose status comes from the path: /status/503 answers 503. */
function startServer(seen: { headers: IncomingHttpHeaders; method?: string }[]): Promise<Server> {
  const server = createServer((req, res) => {
    seen.push({ headers: req.headers, method: req.method });
    const status = Number(/\/status\/(\d+)/.exec(req.url ?? '')?.[1] ?? 200);
    res.writeHead(status, { 'retry-after': '7' });
    res.end('x'.repeat(10_000));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('HttpTargetStarter', () => {
  const starter = new HttpTargetStarter(
    new EnvSecretResolver({ FLINT_SECRET_API_TOKEN: 'Bearer t0k3n' }),
  );
  const seen: { headers: IncomingHttpHeaders; method?: string }[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = await startServer(seen);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const request = (target: Partial<HttpTarget>): RunRequest => ({
    runId: 'deploy.1',
    triggerId: 'deploy',
    triggerVersion: 1,
    owner: 'default',
    target: {
      type: 'http',
      url: `${base}/status/200`,
      method: 'POST',
      headers: {},
      timeoutMs: 2000,
      ...target,
    },
    input: { commit: 'abc' },
    eventIds: ['e'],
    retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 } },
    requestedAt: '2024-05-01T12:00:00Z',
    acceptedAt: '2024-05-01T12:00:00Z',
    provider: 'webhook',
  });

  it('sends secret headers by reference and keeps a bounded excerpt of the answer', async () => {
    const outcome = await starter.start({
      request: request({ headers: { Authorization: { secretRef: 'api-token' }, 'X-Team': 'a' } }),
      attempt: 1,
    });
    expect(seen.at(-1)?.headers).toMatchObject({ authorization: 'Bearer t0k3n', 'x-team': 'a' });
    expect(outcome).toMatchObject({ kind: 'succeeded', response: { status: 200 } });
    expect(outcome.kind === 'succeeded' && outcome.response?.excerpt.length).toBe(4096);
  });

  it('fails without sending when a referenced secret is missing', async () => {
    const before = seen.length;
    const outcome = await starter.start({
      request: request({ headers: { Authorization: { secretRef: 'absent' } } }),
      attempt: 1,
    });
    expect(outcome).toMatchObject({
      kind: 'failed',
      retryable: false,
      error: { type: 'SecretNotFoundError' },
    });
    expect(seen.length).toBe(before);
  });

  it('counts only the configured codes as success', async () => {
    expect(
      await starter.start({ request: request({ successCodes: [202] }), attempt: 1 }),
    ).toMatchObject({ kind: 'failed', retryable: false, error: { type: 'HttpStatusError' } });
    expect(
      await starter.start({
        request: request({ url: `${base}/status/302`, successCodes: [302] }),
        attempt: 1,
      }),
    ).toMatchObject({ kind: 'succeeded', response: { status: 302 } });
  });

  it('retries 5xx and 429 with their Retry-After, and not other 4xx', async () => {
    const at = (status: number) =>
      starter.start({ request: request({ url: `${base}/status/${status}` }), attempt: 1 });
    expect(await at(503)).toMatchObject({ kind: 'failed', retryable: true, retryAfterMs: 7000 });
    expect(await at(429)).toMatchObject({ kind: 'failed', retryable: true, retryAfterMs: 7000 });
    expect(await at(404)).toMatchObject({ kind: 'failed', retryable: false });
  });

  it('retries a network error, and keeps query strings out of the message', async () => {
    const unused = await startServer([]);
    const port = (unused.address() as AddressInfo).port;
    await new Promise((resolve) => unused.close(resolve));
    const closed = `http://127.0.0.1:${port}/hook?token=secret`;
    const outcome = await starter.start({ request: request({ url: closed }), attempt: 1 });
    expect(outcome).toMatchObject({
      kind: 'failed',
      retryable: true,
      error: {
        type: 'NetworkError',
        message: `request to http://127.0.0.1:${port}/hook failed: ECONNREFUSED`,
      },
    });
  });

  it('sends no body with GET', async () => {
    await starter.start({ request: request({ method: 'GET' }), attempt: 1 });
    expect(seen.at(-1)).toMatchObject({ method: 'GET' });
    expect(seen.at(-1)?.headers['content-length']).toBeUndefined();
  });

  it('fails a request the egress rules refuse at once, naming the rule, and sends nothing', async () => {
    const guarded = new HttpTargetStarter(
      new EnvSecretResolver({}),
      new EgressPolicy({ refusePrivate: true, allow: [] }),
    );
    const before = seen.length;
    const outcome = await guarded.start({ request: request({}), attempt: 1 });
    expect(outcome).toMatchObject({
      kind: 'failed',
      retryable: false,
      error: {
        type: 'EgressRefusedError',
        message: expect.stringContaining('is refused: loopback (127.0.0.0/8)'),
      },
    });
    expect(seen.length).toBe(before);
  });
});
