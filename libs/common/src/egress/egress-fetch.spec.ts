import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { egressFetch } from './egress-fetch';
import { EgressPolicy, EgressRefusedError } from './egress-policy';

/** Where `fetch` failed: the egress refusal it carries as its cause. */
async function refusal(promise: Promise<Response>): Promise<EgressRefusedError> {
  const error = await promise.then(
    () => {
      throw new Error('the request was not refused');
    },
    (err: unknown) => err as Error & { cause?: unknown },
  );
  expect(error.cause).toBeInstanceOf(EgressRefusedError);
  return error.cause as EgressRefusedError;
}

describe('egressFetch', () => {
  let server: Server;
  let port: number;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/to-metadata') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      } else if (req.url === '/to-mapped') {
        res.writeHead(307, { location: 'http://[::ffff:a9fe:a9fe]/' });
      } else {
        res.writeHead(200);
      }
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const strict = (allow: string[] = []) =>
    egressFetch(new EgressPolicy({ refusePrivate: true, allow }));

  it('refuses loopback by address and by name, before anything is sent', async () => {
    const before = paths.length;
    const byAddress = await refusal(strict()(`http://127.0.0.1:${port}/a`));
    expect(byAddress.rule).toBe('loopback (127.0.0.0/8)');
    const byName = await refusal(strict()(`http://localhost:${port}/a`));
    expect(byName.message).toMatch(
      /^egress to localhost \((127\.0\.0\.1|::1)\) is refused: loopback/,
    );
    expect(paths.length).toBe(before);
  });

  it('lets the allow list through, by address or by name', async () => {
    expect((await strict(['127.0.0.1/32'])(`http://127.0.0.1:${port}/b`)).status).toBe(200);
    expect((await strict(['localhost'])(`http://localhost:${port}/c`)).status).toBe(200);
  });

  it('checks every redirect: an allowed server cannot send the request to the metadata service', async () => {
    const allowLoopback = strict(['127.0.0.1/32']);
    const direct = await refusal(allowLoopback(`http://127.0.0.1:${port}/to-metadata`));
    expect(direct.rule).toMatch(/metadata/);
    const mapped = await refusal(
      egressFetch(EgressPolicy.DEFAULT)(`http://127.0.0.1:${port}/to-mapped`),
    );
    expect(mapped.rule).toMatch(/metadata/);
    expect(paths).toEqual(expect.arrayContaining(['/to-metadata', '/to-mapped']));
  });
});
