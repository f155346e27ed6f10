import type { Admin, Kafka } from 'kafkajs';

export interface KafkaHealthCheck {
  readonly name: 'kafka';
  /** Resolves when the cluster answers a metadata request; throws with the reason otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaHealthCheckOptions {
  timeoutMs?: number;
}

/**
 * A readiness check that asks the cluster to describe itself. One admin connection is kept between
 * checks, so a probe costs one request; after a failure it is dropped and the next check reconnects.
 */
export function kafkaHealthCheck(
  kafka: Kafka,
  options: KafkaHealthCheckOptions = {},
): KafkaHealthCheck {
  const timeoutMs = options.timeoutMs ?? 2500;
  let admin: Admin | undefined;
  let connected: Promise<void> | undefined;

  const drop = async (): Promise<void> => {
    const current = admin;
    admin = undefined;
    connected = undefined;
    await current?.disconnect().catch(() => undefined);
  };

  return {
    name: 'kafka',
    async check() {
      if (admin === undefined) {
        admin = kafka.admin({ retry: { retries: 0 } });
        connected = admin.connect();
      }
      const current = admin;
      try {
        await withTimeout(
          (async () => {
            await connected;
            const cluster = await current.describeCluster();
            if (cluster.brokers.length === 0) throw new Error('the cluster reports no brokers');
          })(),
          timeoutMs,
        );
      } catch (err) {
        await drop();
        throw new Error(`Kafka is unreachable: ${(err as Error).message}`, { cause: err });
      }
    },
    close: drop,
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
