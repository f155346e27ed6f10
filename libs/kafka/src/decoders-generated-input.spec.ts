import {
  type CloudEvent,
  decodeRunRequest,
  encodeRunRequest,
  MessageDecodeError,
  type RunRequest,
} from '@flint/contracts';
import fc from 'fast-check';
import type { IHeaders } from 'kafkajs';
import { decodeCloudEvent, encodeCloudEvent } from './cloud-event-binding';

const EVENT: CloudEvent = {
  specversion: '1.0',
  id: 'delivery-1',
  source: 'flint/webhook/github',
  type: 'com.github.push',
  time: '2026-01-01T00:00:00.000Z',
  datacontenttype: 'application/json',
  data: { ref: 'refs/heads/main' },
  flintsourceid: 'github',
  flintprovider: 'webhook',
  flintacceptedat: '2026-01-01T00:00:00.000Z',
};

const REQUEST: RunRequest = {
  runId: 'deploy.0123456789abcdef0123456789abcdef',
  triggerId: 'deploy',
  triggerVersion: 1,
  owner: 'default',
  target: { type: 'local', workflow: 'echo', timeoutMs: 10_000 },
  input: { ref: 'main' },
  eventIds: ['delivery-1'],
  retry: { maxAttempts: 3, backoff: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 } },
  requestedAt: '2026-01-01T00:00:00.000Z',
  acceptedAt: '2026-01-01T00:00:00.000Z',
  provider: 'webhook',
};

/** Header values as Kafka delivers them: bytes (valid UTF-8 or not), and the odd array. */
const headerValue: fc.Arbitrary<Buffer | string | (Buffer | string)[] | undefined> = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('', '1.0', '0.3', 'webhook', 'fax', 'application/cloudevents+json', 'not-a-date'),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  fc.constant(undefined),
);

const headerName = fc.oneof(
  fc.constantFrom(
    'ce_specversion',
    'ce_id',
    'ce_source',
    'ce_type',
    'ce_time',
    'ce_flintsourceid',
    'ce_flintprovider',
    'ce_flintacceptedat',
    'ce_flintowner',
    'content-type',
    'traceparent',
  ),
  fc.string({ maxLength: 20 }),
);

/** A valid message with some headers replaced, added or removed, and perhaps another value. */
function mutated(base: { value: Buffer | string | null; headers?: IHeaders }) {
  return fc
    .record({
      changes: fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
      value: fc.option(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 100 }).map((bytes) => Buffer.from(bytes)),
          fc.json({ maxDepth: 4 }),
        ),
        { nil: undefined, freq: 2 },
      ),
    })
    .map(({ changes, value }) => {
      const headers: IHeaders = { ...(base.headers ?? {}) };
      for (const [name, next] of changes) {
        if (next === undefined) delete headers[name];
        else headers[name] = next;
      }
      return { headers, value: value === undefined ? base.value : value };
    });
}

/** What the consumer does with a message: decode it, or send it to the DLQ for the reason given. */
function decodesOrRefuses(decode: () => unknown): void {
  try {
    decode();
  } catch (err) {
    expect(err).toBeInstanceOf(MessageDecodeError);
    expect((err as MessageDecodeError).message.length).toBeGreaterThan(0);
  }
}

describe('the Kafka decoders under generated headers and values', () => {
  it('decode a flint.events message into a CloudEvent or refuse it with a reason', () => {
    const encoded = encodeCloudEvent(EVENT);
    fc.assert(
      fc.property(mutated(encoded), (message) => decodesOrRefuses(() => decodeCloudEvent(message))),
      { numRuns: 3000 },
    );
  });

  it('decode a flint.runs message into a run request or refuse it with a reason', () => {
    const encoded = encodeRunRequest(REQUEST);
    fc.assert(
      fc.property(mutated(encoded), (message) => decodesOrRefuses(() => decodeRunRequest(message))),
      { numRuns: 3000 },
    );
  });
});
