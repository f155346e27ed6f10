import autocannon from 'autocannon';
import { percentiles } from '../support/stats';

/**
 * Runs in a child process so the load generator does not share the event loop of the services it
 * measures: autocannon against one URL, then the result (with exact percentiles of the 202 answers'
 * response times) to the parent over IPC.
 */
interface LoadRequest {
  url: string;
  connections: number;
  durationS: number;
}

process.once('message', (message: LoadRequest) => {
  const acceptedTimes: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon(
    {
      url: message.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world', bench: true }),
      connections: message.connections,
      duration: message.durationS,
    },
    (err, result) => {
      if (err) {
        process.send?.({ error: err.message }, () => process.exit(1));
        return;
      }
      process.send?.(
        {
          durationS: result.duration,
          total: result.requests.total,
          errors: result.errors,
          timeouts: result.timeouts,
          statuses,
          accepted: acceptedTimes.length,
          latencyMs: percentiles(acceptedTimes),
        },
        () => process.exit(0),
      );
    },
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode === 202) acceptedTimes.push(responseTime);
  });
});
