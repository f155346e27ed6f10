import type { Logger } from '@nestjs/common';
import type { StartServiceOptions } from '@flint/service-kit';
import { startTelemetry } from '@flint/telemetry';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { isolatedStackEnv } from './isolated-stack';
import { OtlpReceiver } from './otlp-receiver';
import { createScratchDatabase } from './postgres';

export const quietLogger = { log: () => undefined } as unknown as Logger;

export interface TracedStack {
  stack: LocalStack;
  /** Every span the stack (and this test process) exported. */
  receiver: OtlpReceiver;
  /** Stops the stack, flushes the spans and drops the database. */
  stop(): Promise<void>;
}

/**
 * A whole local stack on a scratch database of its own (see `isolatedStackEnv`), exporting its traces
 * to an OTLP receiver in this process with a short batch delay.
 */
export async function startTracedStack(
  overrides: NodeJS.ProcessEnv,
  options: Pick<StartServiceOptions, 'logDestination'> = {},
): Promise<TracedStack> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne();
  };
  try {
    const receiver = await OtlpReceiver.start();
    stops.push(() => receiver.stop());
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = receiver.tracesUrl;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    process.env.OTEL_BSP_SCHEDULE_DELAY = '200';
    const telemetry = startTelemetry({ serviceName: 'flint-e2e' });
    stops.push(() => telemetry.shutdown());
    const database = await createScratchDatabase();
    stops.push(() => database.drop());
    const stack = await startLocalStack(
      isolatedStackEnv(database.url, overrides),
      quietLogger,
      options,
    );
    stops.push(() => stack.stop());
    return { stack, receiver, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
