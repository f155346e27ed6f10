import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressPolicy } from '@flint/common';
import type { HttpCancel, HttpTarget, RunRequest, WorkflowCancellation } from '@flint/contracts';
import { EnvSecretResolver } from '@flint/provider-sdk';
import { HttpTargetStarter } from './http-target';

interface Seen {
  headers: IncomingHttpHeaders;
  method?: string;
  url?: string;
  body?: string;
}

/** A loopback server whose status comes from the path: /status/503 answers 503. */
function startServer(seen: Seen[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        headers: req.headers,
        method: req.method,
        url: req.url,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const status = Number(/\/status\/(\d+)/.exec(req.url ?? '')?.[1] ?? 200);
      if (req.url?.includes('/hold')) return;
      res.writeHead(status, { 'retry-after': '7' });
      res.end('x'.repeat(10_000));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('HttpTargetStarter', () => {
  const starter = new HttpTargetStarter(
    new EnvSecretResolver({ FLINT_SECRET_API_TOKEN: 'Bearer t0k3n' }),
  );
  const seen: Seen[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = await startServer(seen);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

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

  describe('cancel', () => {
    const cancellation: WorkflowCancellation = {
      runId: 'deploy.1',
      triggerId: 'deploy',
      cancelledByEvent: 'evt-9',
      reason: 'the run was cancelled by event evt-9 (its trigger’s cancelOn)',
      cancelledAt: '2024-05-01T12:01:00Z',
    };
    const cancelTarget = (cancel: Partial<HttpCancel> = {}) =>
      request({
        cancel: {
          url: `${base}/jobs/{{runId}}/status/202`,
          method: 'POST',
          headers: {},
          ...cancel,
        },
      });

    it('sends the cancellation to the run’s URL with its headers, secrets by reference', async () => {
      const outcome = await starter.cancel(
        cancelTarget({ headers: { Authorization: { secretRef: 'api-token' } } }),
        cancellation,
      );
      expect(outcome).toMatchObject({ kind: 'succeeded', response: { status: 202 } });
      expect(seen.at(-1)).toMatchObject({
        method: 'POST',
        url: '/jobs/deploy.1/status/202',
        headers: {
          authorization: 'Bearer t0k3n',
          'idempotency-key': 'deploy.1:cancel',
          'x-flint-run-id': 'deploy.1',
          'content-type': 'application/json',
        },
      });
      expect(JSON.parse(seen.at(-1)?.body ?? '')).toEqual(cancellation);
    });

    it('retries 5xx with Retry-After and network errors, not other 4xx', async () => {
      const at = (status: number) =>
        starter.cancel(cancelTarget({ url: `${base}/status/${status}` }), cancellation);
      expect(await at(503)).toMatchObject({ kind: 'failed', retryable: true, retryAfterMs: 7000 });
      expect(await at(410)).toMatchObject({
        kind: 'failed',
        retryable: false,
        error: { type: 'HttpStatusError' },
      });
    });

    it('is refused by the egress rules like the start, sending nothing', async () => {
      const guarded = new HttpTargetStarter(
        new EnvSecretResolver({}),
        new EgressPolicy({ refusePrivate: true, allow: [] }),
      );
      const before = seen.length;
      expect(await guarded.cancel(cancelTarget(), cancellation)).toMatchObject({
        kind: 'failed',
        retryable: false,
        error: { type: 'EgressRefusedError' },
      });
      expect(seen.length).toBe(before);
    });
  });

  it('aborts a start in flight when its run is cancelled', async () => {
    const cancelled = new AbortController();
    const outcome = starter.start({
      request: request({ url: `${base}/hold` }),
      attempt: 1,
      signal: cancelled.signal,
    });
    await waitUntil(() => seen.some((one) => one.url === '/hold'));
    cancelled.abort();
    expect(await outcome).toMatchObject({
      kind: 'failed',
      retryable: false,
      error: { type: 'CancelledError' },
    });
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
}
