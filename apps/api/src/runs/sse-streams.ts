import type { FastifyReply, FastifyRequest } from 'fastify';

/** A comment line now and then keeps proxies and load balancers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

/**
 * The server-sent event streams of one controller: each answered with the stream's headers, kept
 * alive with comment lines, and ended when the client goes or the application shuts down (the
 * server would otherwise wait for them).
 */
export class SseStreams {
  private readonly open = new Set<() => void>();

  /**
   * Answers the request with a stream; `subscribe` gets the function that sends one frame and
   * returns what stops its source when the stream ends.
   */
  start(
    request: FastifyRequest,
    reply: FastifyReply,
    greeting: string,
    subscribe: (send: (text: string) => void) => () => void,
  ): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const send = (text: string) => {
      if (!raw.writableEnded) raw.write(text);
    };
    send(`retry: 3000\n: ${greeting}\n\n`);
    const unsubscribe = subscribe(send);
    const keepAlive = setInterval(() => send(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    const close = () => {
      if (!this.open.delete(close)) return;
      clearInterval(keepAlive);
      unsubscribe();
      if (!raw.writableEnded) raw.end();
    };
    this.open.add(close);
    request.raw.on('close', close);
  }

  /** Ends every open stream. */
  closeAll(): void {
    for (const close of [...this.open]) close();
  }
}

/** One server-sent event frame. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
