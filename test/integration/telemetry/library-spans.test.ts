import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OtlpReceiver } from '../../support/otlp-receiver';
import { createScratchDatabase, describeIfPostgres } from '../../support/postgres';

const SPAN_KIND = { INTERNAL: 1, CLIENT: 3 } as const;
const root = join(__dirname, '..', '..', '..');

/**
 * Database queries and outgoing HTTP appear in traces through the maintained OpenTelemetry
 * instrumentations (pg, undici), as children of the span they ran in and with its service's name,
 * even though the store loaded `pg` before tracing started.
 */
describeIfPostgres('spans of the libraries Flint calls', () => {
  it('traces a query and a fetch made inside a span, and nothing outside one', async () => {
    const receiver = await OtlpReceiver.start();
    const target = createServer((_req, res) => res.writeHead(202).end());
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const database = await createScratchDatabase();
    try {
      const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/hooks/x`;
      await promisify(execFile)(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          '-r',
          'tsconfig-paths/register',
          'test/integration/telemetry/fixtures/traced-library-calls.ts',
        ],
        {
          cwd: root,
          env: {
            ...process.env,
            NODE_OPTIONS: '',
            DATABASE_URL: database.url,
            FIXTURE_HTTP_URL: targetUrl,
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          },
          timeout: 90_000,
        },
      );

      const parent = receiver.spans.find((s) => s.name === 'start http target')!;
      expect(parent).toBeDefined();
      const children = receiver.spans.filter((s) => s.parentSpanId === parent.spanId);
      const query = children.find(
        (s) =>
          s.scope === '@opentelemetry/instrumentation-pg' &&
          JSON.stringify(s.attributes).includes('SELECT $1::int AS answer'),
      );
      const call = children.find((s) => s.scope === '@opentelemetry/instrumentation-undici');
      expect(query).toMatchObject({
        kind: SPAN_KIND.CLIENT,
        serviceName: 'flint-runner',
        traceId: parent.traceId,
      });
      expect(query!.attributes).toMatchObject({ 'db.system.name': 'postgresql' });
      expect(call).toMatchObject({
        kind: SPAN_KIND.CLIENT,
        serviceName: 'flint-runner',
        traceId: parent.traceId,
        attributes: expect.objectContaining({
          'http.request.method': 'POST',
          'url.full': targetUrl,
          'http.response.status_code': 202,
        }),
      });
      // The query made outside any span started no trace of its own.
      expect(receiver.spans.filter((s) => s.traceId !== parent.traceId)).toEqual([]);
    } finally {
      await database.drop();
      target.close();
      await receiver.stop();
    }
  });
});
