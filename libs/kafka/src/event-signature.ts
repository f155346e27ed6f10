import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CloudEvent } from '@flint/contracts';
import type { IHeaders, Kafka } from 'kafkajs';
import { decodeCloudEvent } from './cloud-event-binding';
import type { IncomingMessage, OutgoingMessage } from './messages';

/** The Kafka header carrying the signature of an event a Flint service produced. */
export const SIGNATURE_HEADER = 'flint_signature';
const VERSION = 'v1';
const CE_PREFIX = 'ce_';
const CONTENT_TYPE = 'content-type';

const byClient = new WeakMap<Kafka, EventSigner>();

/**
 * Tells the events Flint's own services produced from those anyone else wrote to the events topic.
 * Kafka headers prove nothing (any producer may claim `flintowner: payments` or type
 * `flint.run.failed`), so every service signs the CloudEvents it produces with a key they share
 * (`KAFKA_EVENT_SIGNING_KEY`): an HMAC-SHA256 over every `ce_` header, the content type and the value.
 * The signer hangs off the Kafka client, like the metrics, so every `EventProducer` built on a
 * service's client signs and nothing else has to pass it around.
 */
export class EventSigner {
  private readonly key: Buffer;

  constructor(key: string) {
    this.key = Buffer.from(key, 'utf8');
  }

  /** Gives a client a signer; its producers sign and its consumers can verify from then on. */
  static attach(kafka: Kafka, key: string): EventSigner {
    const signer = new EventSigner(key);
    byClient.set(kafka, signer);
    return signer;
  }

  static of(kafka: Kafka): EventSigner | undefined {
    return byClient.get(kafka);
  }

  /** The message with its signature header, when it is a CloudEvent; any other message as it is. */
  sign<M extends OutgoingMessage>(message: M): M {
    const headers = textHeaders(message.headers);
    if (headers === undefined || !headers.has(`${CE_PREFIX}specversion`)) return message;
    headers.delete(SIGNATURE_HEADER);
    return {
      ...message,
      headers: {
        ...message.headers,
        [SIGNATURE_HEADER]: `${VERSION}=${this.digest(headers, message.value)}`,
      },
    };
  }

  /** Whether the message carries a valid signature by a holder of this key. */
  verify(message: Pick<IncomingMessage, 'headers' | 'value'>): boolean {
    const headers = textHeaders(message.headers);
    const signature = headers?.get(SIGNATURE_HEADER);
    if (headers === undefined || signature === undefined) return false;
    if (!signature.startsWith(`${VERSION}=`)) return false;
    headers.delete(SIGNATURE_HEADER);
    const given = Buffer.from(signature.slice(VERSION.length + 1), 'hex');
    const expected = Buffer.from(this.digest(headers, message.value), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private digest(headers: Map<string, string>, value: Buffer | string | null): string {
    const signed = [...headers]
      .filter(([name]) => name.startsWith(CE_PREFIX) || name === CONTENT_TYPE)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const valueHash = value === null ? '-' : createHash('sha256').update(value).digest('hex');
    return createHmac('sha256', this.key)
      .update(JSON.stringify([signed, valueHash]))
      .digest('hex');
  }
}

/** Headers as lower-case names to text; undefined when a header repeats (no signature holds then). */
function textHeaders(raw: IHeaders | undefined): Map<string, string> | undefined {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) return undefined;
    headers.set(name.toLowerCase(), Buffer.isBuffer(value) ? value.toString('utf8') : value);
  }
  return headers;
}

/** A CloudEvent from the events topic and whether a Flint service produced it. */
export interface ReceivedEvent {
  event: CloudEvent;
  /**
   * Signed by a Flint service, so its `flintowner`, provider and type can be believed. Always true
   * when no signing key is configured: then every producer is trusted.
   */
  fromFlint: boolean;
}

/** Decodes events and checks their signatures with `signer` (none: every event counts as Flint's). */
export function receivedEventDecoder(
  signer: EventSigner | undefined,
): (message: IncomingMessage) => ReceivedEvent {
  return (message) => ({
    event: decodeCloudEvent(message),
    fromFlint: signer === undefined || signer.verify(message),
  });
}
