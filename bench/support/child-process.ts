import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/** Closing a forked child's IPC channel asks it to stop (the bench's own children exit on it). */
export type StopRequest = NodeJS.Signals | 'disconnect';

/**
 * Asks `child` to stop with `request` and waits until it exited, killing it after `graceMs`. A child
 * that already exited is left alone.
 */
export async function stopChild(
  child: ChildProcess,
  request: StopRequest,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (request === 'disconnect') child.disconnect();
  else child.kill(request);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** One of bench/scenarios' TypeScript files in a Node process of its own, with an IPC channel. */
export function forkScenarioFile(file: string): ChildProcess {
  return fork(join(__dirname, '..', 'scenarios', file), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: 'inherit',
  });
}

/**
 * `webhook-floor-server.ts` in a process of its own, producing to `topic`; resolves once it listens.
 * `stop` closes its IPC channel, on which it disconnects its producer and exits.
 */
export async function startFloorServer(
  brokers: string,
  topic: string,
): Promise<{ pid: number; port: number; stop(): Promise<void> }> {
  const child = forkScenarioFile('webhook-floor-server.ts');
  const stop = () => stopChild(child, 'disconnect', 10_000);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number } | { error: string }) =>
        'error' in message
          ? reject(new Error(`the floor failed: ${message.error}`))
          : resolve(message.port),
      );
      child.once('exit', (code) => reject(new Error(`the floor server exited with ${code}`)));
      child.send({ brokers, topic });
    });
    return { pid: child.pid as number, port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
