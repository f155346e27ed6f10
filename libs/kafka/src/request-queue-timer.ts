/**
 * kafkajs 2.2.4 (the last release) re-arms a timer in every broker connection's request queue each
 * time it looks at its queue, even when nothing waits there: `throttledUntil` starts at -1, so the
 * delay is -1 - Date.now(), which Node clamps to 1 ms. From the first response on, each connection
 * wakes every millisecond for nothing (about 20 ms of CPU a second in an idle process with a
 * producer and an admin client), and Node 24 prints `TimeoutNegativeWarning: -17… is a negative
 * number` for it (tulios/kafkajs#1751, #1704; the fixes were never merged).
 *
 * The queue's own method is replaced by one that schedules a look only while requests wait: at the
 * end of a broker's throttle, else after kafkajs's 10 ms. Requests that find the queue free are sent
 * at once (`push`) and a finished one makes the queue look again (`fulfillRequest`), so an empty
 * queue needs no timer. Only for the version read here: another one keeps its own code, and the
 * test that spawns a producer and reads its stderr says whether it needs this again.
 */
const PATCHED_VERSION = '2.2.4';
/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL. */
const CHECK_PENDING_MS = 10;

interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
}

let installed = false;

/** Installs the fixed `scheduleCheckPendingRequests` once per process; true when it did. */
export function fixRequestQueueTimer(): boolean {
  if (installed) return true;
  // kafkajs has no `exports` map: its package.json and sources load by path, the same modules its
  // own code loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_VERSION) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require('kafkajs/src/network/requestQueue') as {
    prototype: { scheduleCheckPendingRequests(this: RequestQueueState): void };
  };
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueState) {
    if (this.throttleCheckTimeoutId !== null || this.pending.length === 0) return;
    const throttledFor = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      throttledFor > 0 ? throttledFor : CHECK_PENDING_MS,
    );
  };
  installed = true;
  return true;
}
