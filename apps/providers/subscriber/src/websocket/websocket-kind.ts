import type { WebSocketConfig } from '@flint/contracts';
import { resolveHeaders } from '@flint/provider-sdk';
import { WebSocket } from 'ws';
import { holdConnection } from '../subscription/held-connection';
import type { StreamKind, StreamSession } from '../subscription/stream-kind';

type Session = StreamSession<'websocket', WebSocketConfig>;

/**
 * A WebSocket feed, held by one replica (exclusive). The subscribe message is sent on every connect;
 * each message is published before the next is taken (the socket is paused meanwhile:
 * back-pressure); pings find a dead link, which is then dropped and opened again with backoff. There
 * is nothing to acknowledge and no replay: what the server sends while Flint is disconnected is lost
 * unless the subscribe message asks for it. Event ids come from `eventId` (a field of the message)
 * or the content hash.
 */
export class WebSocketKind implements StreamKind<'websocket', WebSocketConfig> {
  readonly kind = 'websocket';
  readonly exclusive = true;

  validate(config: WebSocketConfig): WebSocketConfig {
    return config;
  }

  async consume(session: Session): Promise<void> {
    const { config, signal, source } = session.ctx;
    const socket = new WebSocket(config.url, config.subprotocols ?? [], {
      headers: await resolveHeaders(config.headers, session.ctx.secrets),
      handshakeTimeout: 10_000,
    });
    let heartbeat: NodeJS.Timeout | undefined;
    await holdConnection(
      signal,
      async ({ ended, fail }) => {
        socket.on('error', fail);
        socket.on('unexpected-response', (_request, response) =>
          fail(new Error(`the server refused the WebSocket: ${response.statusCode}`)),
        );
        socket.on('close', (code, reason) =>
          fail(
            new Error(
              `the server closed the WebSocket (${code}${reason.length ? ` ${reason}` : ''})`,
            ),
          ),
        );
        await Promise.race([new Promise((resolve) => socket.once('open', resolve)), ended]);
        if (config.subscribeMessage !== undefined) {
          const message = config.subscribeMessage;
          socket.send(typeof message === 'string' ? message : JSON.stringify(message));
        }
        heartbeat = keepAlive(socket, config.pingIntervalMs, fail);
        let handled: Promise<void> = Promise.resolve();
        socket.on('message', (data, isBinary) => {
          socket.pause();
          const body = Buffer.isBuffer(data) ? data : Buffer.concat([data].flat() as Buffer[]);
          handled = handled
            .then(async () => {
              await session.deliver([
                {
                  body,
                  headers: isBinary ? { 'content-type': 'application/octet-stream' } : {},
                  subject: source.id,
                  origin: config.url,
                },
              ]);
              socket.resume();
            })
            .catch(fail);
        });
        session.connected();
        await ended;
      },
      async () => {
        clearInterval(heartbeat);
        socket.terminate();
      },
    );
  }
}

/** Pings every `intervalMs`; a socket with no pong since the last ping is dead. */
function keepAlive(
  socket: WebSocket,
  intervalMs: number,
  fail: (err: Error) => void,
): NodeJS.Timeout {
  let answered = true;
  socket.on('pong', () => (answered = true));
  const timer = setInterval(() => {
    if (!answered) {
      fail(new Error(`no pong within ${intervalMs} ms`));
      return;
    }
    answered = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  return timer;
}
