import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, createServer, connect } from 'node:net';
import { join } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@flint/contracts';
import {
  type HealthReport,
  type RunningService,
  portVariable,
  startService,
} from '@flint/service-kit';
import { SERVICE_MODULES } from '../../../apps/local-stack/src/service-modules';
import { waitFor } from '../../support/kafka';

function serviceEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const ports = Object.fromEntries(SERVICE_NAMES.map((s) => [portVariable(s), '0']));
  return { ...process.env, ...ports, FLINT_HOST: '127.0.0.1', ...overrides };
}

async function start(name: ServiceName, env = serviceEnv()): Promise<RunningService> {
  return startService(name, SERVICE_MODULES[name], { env, handleSignals: false, logger: false });
}

async function health(service: RunningService): Promise<{ status: number; body: HealthReport }> {
  const response = await fetch(`${service.url}/health`);
  return { status: response.status, body: (await response.json()) as HealthReport };
}

describe('every service boots, reports health truthfully and serves metrics', () => {
  it.each(SERVICE_NAMES)('%s is healthy with the real broker and database', async (name) => {
    const service = await start(name);
    try {
      const { status, body } = await health(service);
      expect(body.checks.kafka).toMatchObject({ ok: true });
      expect(body.checks.database).toMatchObject({ ok: true });
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'ok', service: name });

      const metrics = await fetch(`${service.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      const text = await metrics.text();
      expect(text).toContain(`flint_service_info{version=`);
      expect(text).toContain(`service="${name}"`);
      expect(text).toContain('process_cpu_user_seconds_total');

      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('is unhealthy while Kafka is unreachable, and says so', async () => {
    const closedPort = await unusedPort();
    const service = await start(
      'evaluator',
      serviceEnv({ KAFKA_BROKERS: `127.0.0.1:${closedPort}`, KAFKA_CONNECTION_TIMEOUT_MS: '500' }),
    );
    try {
      const { status, body } = await health(service);
      expect(status).toBe(503);
      expect(body.status).toBe('unhealthy');
      expect(body.checks.kafka.ok).toBe(false);
      expect(typeof body.checks.kafka.error).toBe('string');
      expect(body.checks.database.ok).toBe(true);
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('turns unhealthy when the database goes away while running', async () => {
    const proxy = await TcpProxy.start(5432);
    const url = new URL(process.env.DATABASE_URL as string);
    url.host = `127.0.0.1:${proxy.port}`;
    const service = await start('runner', serviceEnv({ DATABASE_URL: url.toString() }));
    try {
      expect((await health(service)).status).toBe(200);
      await proxy.close();
      await waitFor(async () => (await health(service)).status === 503, { timeoutMs: 30000 });
      const { body } = await health(service);
      expect(body.checks.database.ok).toBe(false);
      expect(body.checks.kafka.ok).toBe(true);
    } finally {
      await service.stop().catch(() => undefined);
    }
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const port = await unusedPort();
    const child: ChildProcess = spawn(
      process.execPath,
      [join(__dirname, '../../../dist/apps/runner/src/main.js')],
      {
        env: serviceEnv({ FLINT_RUNNER_PORT: String(port) }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = once(child, 'exit');
    try {
      await waitFor(
        async () =>
          (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null))?.ok === true,
        { timeoutMs: 60000 },
      );
      child.kill('SIGTERM');
      const [code] = await exited;
      expect({ code, output }).toMatchObject({ code: 0 });
      expect(output).toContain('SIGTERM received, draining');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Forwards TCP to a local port and can cut every connection, to make a dependency unreachable. */
class TcpProxy {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new TcpProxy(server, sockets, (server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
