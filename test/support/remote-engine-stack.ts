import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@nestjs/common';
import type { Definition } from '@flint/contracts';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { isolatedStackEnv } from './isolated-stack';
import { freePorts, waitFor } from './kafka';
import { createScratchDatabase } from './postgres';

const quiet = { log: () => undefined } as unknown as Logger;

/** The local stack beside an HTTP server that stands in for a remote workflow engine. */
export interface RemoteEngineStack {
  stack: LocalStack;
  /** The api as the admin. */
  api: FlintApiClient;
  /** Posts `body` to the webhook source at `path` until it is accepted (202). */
  post(path: string, body: unknown): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `engine` listening on a free port, and the local stack on a scratch database with the definitions
 * `define` makes for the engine's base URL applied. The runner tells the engine where the api is for
 * callbacks, so the api's port is chosen before the stack starts.
 */
export async function startRemoteEngineStack(
  adminKey: string,
  engine: Server,
  define: (engineBase: string) => Definition[],
): Promise<RemoteEngineStack> {
  engine.listen(0, '127.0.0.1');
  await once(engine, 'listening');
  const database = await createScratchDatabase();
  let stack: LocalStack | undefined;
  const stop = async () => {
    await stack?.stop();
    await database.drop();
    await new Promise((resolve) => engine.close(resolve));
  };
  try {
    const [apiPort] = await freePorts(1);
    stack = await startLocalStack(
      isolatedStackEnv(database.url, {
        FLINT_ADMIN_API_KEY: adminKey,
        FLINT_API_PORT: String(apiPort),
        FLINT_CALLBACK_BASE_URL: `http://127.0.0.1:${apiPort}`,
      }),
      quiet,
    );
    const api = new FlintApiClient(stack.services.get('api')!.url, adminKey);
    await api.applyDefinitions(
      define(`http://127.0.0.1:${(engine.address() as AddressInfo).port}`),
    );
    const webhook = stack.services.get('webhook')!.url;
    return {
      stack,
      api,
      post: async (path, body) => {
        await waitFor(
          async () =>
            (
              await fetch(`${webhook}/hooks/${path}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(body),
              })
            ).status === 202,
          { timeoutMs: 90_000, description: `the webhook ${path} to accept the event` },
        );
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
