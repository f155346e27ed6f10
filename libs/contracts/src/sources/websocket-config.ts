import { z } from 'zod';
import { HeadersSchema } from '../primitives';
import { hasNoDuplicates, strictObject } from '../strict';
import { streamMessageFields } from './stream-message';

export const DEFAULT_WEBSOCKET_EVENT_TYPE = 'flint.websocket.message';

/**
 * A WebSocket feed: each message an event. A WebSocket has no replay: what the server sends while
 * Flint is disconnected is lost, unless the subscribe message (sent on every connect) asks the server
 * for it. One replica holds the connection.
 */
export const WebSocketConfigSchema = strictObject({
  url: z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' }),
  /** Handshake headers; values literal or `{ secretRef }`. */
  headers: HeadersSchema.default({}),
  subprotocols: z
    .array(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a subprotocol token'))
    .max(10)
    .refine(hasNoDuplicates, 'must not repeat a subprotocol')
    .optional(),
  /** Sent after every connect: a string as it is, anything else as JSON. */
  subscribeMessage: z
    .union([z.string().max(65_536), z.record(z.string(), z.unknown()), z.array(z.unknown())])
    .optional(),
  /** A ping this often; a connection with no pong by the next ping is dropped and opened again. */
  pingIntervalMs: z.number().int().min(1000).max(600_000).default(30_000),
  ...streamMessageFields(DEFAULT_WEBSOCKET_EVENT_TYPE),
});
export type WebSocketConfig = z.infer<typeof WebSocketConfigSchema>;
