import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  definePollFunction,
  defineWorkflow,
  EmitError,
  EventsClient,
  InvalidDefinitionError,
  isPollFunction,
  isWorkflow,
} from '.';

describe('@flint/sdk', () => {
  it('defineWorkflow checks the name and the run function where the workflow is declared', () => {
    expect(() => defineWorkflow({ name: 'Deploy Service', run: () => null })).toThrow(
      InvalidDefinitionError,
    );
    expect(() => defineWorkflow({ name: 'Deploy Service', run: () => null })).toThrow(
      /^workflow name "Deploy Service" must be a lowercase slug/,
    );
    expect(() => defineWorkflow({ name: 'deploy', run: 'no' } as never)).toThrow(
      'workflow "deploy" needs a run(input, ctx) function',
    );
  });

  it('definePollFunction checks interval, timeout, allowConcurrent and the memory limit', () => {
    const run = () => ({ fire: false }) as const;
    expect(() => definePollFunction({ name: 'inbox', interval: 'often', run })).toThrow(
      'poll function "inbox": interval must be a duration like "30s", "5m", "500ms", got "often"',
    );
    expect(() => definePollFunction({ name: 'inbox', timeout: '10', run })).toThrow(/timeout/);
    expect(() =>
      definePollFunction({ name: 'inbox', allowConcurrent: 'yes' as never, run }),
    ).toThrow('poll function "inbox": allowConcurrent must be true or false');
    expect(() => definePollFunction({ name: 'inbox', memoryLimitMb: 2, run })).toThrow(
      'memoryLimitMb must be a whole number from 16 to 4096, got 2',
    );
    expect(() => definePollFunction({ name: 'In Box', run })).toThrow(
      /^poll function name "In Box" must be a lowercase slug/,
    );
    const fn = definePollFunction({ name: 'inbox', interval: '1m30s', timeout: '5s', run });
    expect(fn).toMatchObject({ name: 'inbox', interval: '1m30s', timeout: '5s' });
  });

  it('marks definitions with a global symbol, so any copy of the SDK is recognised', () => {
    const workflow = defineWorkflow({ name: 'w', run: () => 1 });
    const poll = definePollFunction({ name: 'p', run: () => ({ fire: false }) });
    expect([isWorkflow(workflow), isPollFunction(workflow)]).toEqual([true, false]);
    expect([isWorkflow(poll), isPollFunction(poll)]).toEqual([false, true]);
    const fromAnotherCopy = { name: 'w', run: () => 1, [Symbol.for('flint.sdk.kind')]: 'workflow' };
    expect(isWorkflow(fromAnotherCopy)).toBe(true);
    expect(isWorkflow({ name: 'w', run: () => 1 })).toBe(false);
    expect(isWorkflow(null)).toBe(false);
  });

  it('imports nothing but its own files, so it can be published alone', () => {
    const files = readdirSync(__dirname).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'),
    );
    for (const file of files) {
      const source = readFileSync(join(__dirname, file), 'utf8');
      for (const [, from] of source.matchAll(/from '([^']+)'/g)) {
        expect(`${file}: ${from}`).toMatch(/: \.\//);
      }
    }
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@flint/sdk', types: 'dist/index.d.ts' });
    expect(manifest.dependencies).toBeUndefined();
  });

  describe('EventsClient', () => {
    let answer: { status: number; body: string };
    const received: Array<{ headers: IncomingHttpHeaders; body: unknown }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    let url: string;

    beforeAll(async () => {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('posts the event with the API key and returns its id once Flint accepted it', async () => {
      answer = { status: 202, body: '{"eventId":"order-1"}' };
      const client = new EventsClient({ url, apiKey: 'k-1' });
      expect(await client.emit('com.example.order', { total: 3 }, { id: 'order-1' })).toBe(
        'order-1',
      );
      expect(received.at(-1)).toMatchObject({
        headers: { authorization: 'Bearer k-1' },
        body: { type: 'com.example.order', id: 'order-1', data: { total: 3 } },
      });
    });

    it('says why Flint refused an event, and when it cannot be reached', async () => {
      answer = { status: 403, body: '{"message":"this key may not emit events"}' };
      const refused = new EventsClient({ url, apiKey: 'viewer' }).emit('com.example.x');
      await expect(refused).rejects.toThrow(
        'Flint refused the event (HTTP 403): this key may not emit events',
      );
      await expect(refused).rejects.toBeInstanceOf(EmitError);
      await expect(
        new EventsClient({ url: 'http://127.0.0.1:1' }).emit('com.example.x'),
      ).rejects.toThrow(/^could not reach http:\/\/127\.0\.0\.1:1: /);
      const saved = process.env.FLINT_API_URL;
      delete process.env.FLINT_API_URL;
      expect(() => new EventsClient()).toThrow('no API URL: pass { url } or set FLINT_API_URL');
      if (saved !== undefined) process.env.FLINT_API_URL = saved;
    });
  });
});
