import type { RunRequest } from '@flint/contracts';
import type { IncomingMessage } from '@flint/kafka';
import type { NewRun } from '@flint/store';

/** What the runs table keeps about a request beyond the request itself. */
export function newRun(
  request: RunRequest,
  message: Pick<IncomingMessage, 'topic' | 'partition' | 'offset'>,
  kafkaTargetTimeoutMs: number,
): NewRun {
  const limit = concurrencyLimit(request);
  return {
    request,
    source: { topic: message.topic, partition: message.partition, offset: message.offset },
    timeoutMs: request.target.type === 'kafka' ? kafkaTargetTimeoutMs : request.target.timeoutMs,
    ...(limit === undefined || request.concurrency === undefined
      ? {}
      : { concurrency: { limit, onBusy: request.concurrency.onBusy } }),
  };
}

/** `allowConcurrent: false` is one at a time; otherwise `max`, or no limit without one. */
export function concurrencyLimit(request: RunRequest): number | undefined {
  const policy = request.concurrency;
  if (policy === undefined) return undefined;
  return policy.allowConcurrent ? policy.max : 1;
}
