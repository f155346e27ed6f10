import { type CloudEvent, CloudEventSchema, MessageDecodeError } from '@flint/contracts';
import fc from 'fast-check';
import type { IHeaders } from 'kafkajs';
import { CloudEventEncodeError, decodeCloudEvent, encodeCloudEvent } from './cloud-event-binding';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function event(overrides: Partial<CloudEvent> = {}): CloudEvent {
  return {
    specversion: '1.0',
    id: 'delivery-1',
    source: 'flint/webhook/github-main',
    type: 'com.github.push',
    subject: 'refs/heads/main',
    time: '2026-01-02T03:04:05.000Z',
    datacontenttype: 'application/json',
    data: { ref: 'refs/heads/main', commits: [{ id: 'abc' }] },
    flintsourceid: 'github-main',
    flintprovider: 'webhook',
    flintacceptedat: '2026-01-02T03:04:05.100Z',
    traceparent: TRACEPARENT,
    ...overrides,
  };
}

/** What a consumer sees: kafkajs hands every header value over as a Buffer. */
function asConsumed(message: ReturnType<typeof encodeCloudEvent>): {
  key: Buffer;
  value: Buffer | null;
  headers: IHeaders;
} {
  return {
    key: Buffer.from(message.key),
    value: message.value,
    headers: Object.fromEntries(
      Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value)]),
    ),
  };
}

function decodeError(message: Parameters<typeof decodeCloudEvent>[0]): string {
  try {
    decodeCloudEvent(message);
  } catch (err) {
    expect(err).toBeInstanceOf(MessageDecodeError);
    return (err as Error).message;
  }
  throw new Error('expected the message to be rejected');
}

describe('encodeCloudEvent', () => {
  it('puts attributes in ce_ headers, the content type in content-type and data in the value', () => {
    const encoded = encodeCloudEvent(event());
    expect(encoded.key).toBe('github-main');
    expect(encoded.headers).toEqual({
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: 'delivery-1',
      ce_source: 'flint/webhook/github-main',
      ce_type: 'com.github.push',
      ce_subject: 'refs/heads/main',
      ce_time: '2026-01-02T03:04:05.000Z',
      ce_flintsourceid: 'github-main',
      ce_partitionkey: 'github-main',
      ce_flintprovider: 'webhook',
      ce_flintacceptedat: '2026-01-02T03:04:05.100Z',
      traceparent: TRACEPARENT,
    });
    expect(JSON.parse(encoded.value!.toString())).toEqual(event().data);
  });

  it('defaults the content type to JSON and leaves out absent attributes', () => {
    const encoded = encodeCloudEvent(
      event({ datacontenttype: undefined, subject: undefined, traceparent: undefined }),
    );
    expect(encoded.headers['content-type']).toBe('application/json');
    expect(encoded.headers).not.toHaveProperty('ce_subject');
    expect(encoded.headers).not.toHaveProperty('traceparent');
  });

  it('sends text and bytes as they are', () => {
    const text = encodeCloudEvent(event({ datacontenttype: 'text/plain', data: 'héllo' }));
    expect(text.value).toEqual(Buffer.from('héllo'));
    const bytes = Buffer.from([0, 1, 2, 255]);
    const binary = encodeCloudEvent(
      event({ datacontenttype: 'application/octet-stream', data: bytes }),
    );
    expect(binary.value).toEqual(bytes);
  });

  it('sends an event without data as a null value', () => {
    expect(encodeCloudEvent(event({ data: undefined })).value).toBeNull();
  });

  it('refuses an invalid event, naming the attribute', () => {
    expect(() => encodeCloudEvent(event({ time: 'yesterday' }))).toThrow(CloudEventEncodeError);
    expect(() => encodeCloudEvent(event({ time: 'yesterday' }))).toThrow(/attribute time/);
  });

  it('refuses exactly the events the contract refuses, whatever valid events came before', () => {
    const attribute = fc.constantFrom(
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'time',
      'datacontenttype',
      'flintsourceid',
      'flintprovider',
      'flintacceptedat',
      'partitionkey',
      'traceparent',
      'myextension',
      'Bad-Name',
    );
    const value = fc.oneof(
      fc.constantFrom(undefined, '', '1.0', '0.3', 'webhook', 'Web hook', TRACEPARENT, 7, true),
      fc.constantFrom('2026-01-02T03:04:05Z', '2026-02-30T00:00:00Z', 'yesterday'),
      fc.string({ maxLength: 20 }),
      fc.integer({ min: 250, max: 4200 }).map((length) => 'x'.repeat(length)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(attribute, value), { maxLength: 3 }), (changes) => {
        // The same attributes valid first, so a remembered value cannot stand in for a new one.
        encodeCloudEvent(event());
        // Text data, which every content type carries, so only the attributes decide.
        const changed: Record<string, unknown> = { ...event(), data: 'payload' };
        for (const [name, to] of changes) changed[name] = to;
        const accepted = CloudEventSchema.safeParse(changed).success;
        const encode = () => encodeCloudEvent(changed as CloudEvent);
        if (accepted) expect(encode).not.toThrow();
        else expect(encode).toThrow(CloudEventEncodeError);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses structured data under a non-JSON content type', () => {
    expect(() =>
      encodeCloudEvent(event({ datacontenttype: 'text/plain', data: { a: 1 } })),
    ).toThrow('data of content type text/plain must be a string or bytes, got object');
  });
});

describe('decodeCloudEvent', () => {
  it('keys by a partitionkey of its own, and keeps it', () => {
    const keyed = event({ partitionkey: 'tenant-7' });
    const encoded = encodeCloudEvent(keyed);
    expect(encoded.key).toBe('tenant-7');
    expect(encoded.headers).toMatchObject({
      ce_partitionkey: 'tenant-7',
      ce_flintsourceid: 'github-main',
    });
    expect(decodeCloudEvent(asConsumed(encoded))).toEqual(keyed);
  });

  it('round-trips every attribute, the data and the trace context', () => {
    const original = event();
    expect(decodeCloudEvent(asConsumed(encodeCloudEvent(original)))).toEqual(original);
  });

  it('round-trips text and binary data', () => {
    const text = event({ datacontenttype: 'text/plain; charset=utf-8', data: 'plain text' });
    expect(decodeCloudEvent(asConsumed(encodeCloudEvent(text)))).toEqual(text);
    const binary = event({
      datacontenttype: 'application/octet-stream',
      data: Buffer.from([9, 8]),
    });
    expect(decodeCloudEvent(asConsumed(encodeCloudEvent(binary)))).toEqual(binary);
  });

  it('reads JSON when there is no content-type header', () => {
    const message = asConsumed(encodeCloudEvent(event()));
    delete message.headers['content-type'];
    const decoded = decodeCloudEvent(message);
    expect(decoded.data).toEqual(event().data);
    expect(decoded.datacontenttype).toBeUndefined();
  });

  it('accepts the trace context as ce_traceparent too', () => {
    const message = asConsumed(encodeCloudEvent(event()));
    message.headers.ce_traceparent = message.headers.traceparent;
    delete message.headers.traceparent;
    expect(decodeCloudEvent(message).traceparent).toBe(TRACEPARENT);
  });

  it('decodes a structured-mode event', () => {
    const original = event();
    const decoded = decodeCloudEvent({
      value: Buffer.from(JSON.stringify(original)),
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
    });
    expect(decoded).toEqual(original);
  });

  it('names the missing ce_ headers', () => {
    const message = asConsumed(encodeCloudEvent(event()));
    delete message.headers.ce_id;
    delete message.headers.ce_source;
    expect(decodeError(message)).toBe(
      'not a CloudEvent in binary mode: missing headers ce_id, ce_source',
    );
  });

  it('says a message without any CloudEvents headers is not a CloudEvent', () => {
    expect(decodeError({ value: Buffer.from('{"hello":"world"}'), headers: {} })).toMatch(
      /^not a CloudEvent in binary mode: missing headers ce_specversion, ce_id, ce_source, ce_type, ce_time/,
    );
  });

  it('gives the position of invalid JSON', () => {
    const message = asConsumed(encodeCloudEvent(event()));
    message.value = Buffer.from('{"ref": "main",}');
    expect(decodeError(message)).toMatch(
      /^value \(content-type application\/json\) is not valid JSON: .*position 15/,
    );
  });

  it('names the header of each attribute that breaks the contract', () => {
    const message = asConsumed(encodeCloudEvent(event()));
    message.headers.ce_flintprovider = Buffer.from('Carrier Pigeon');
    message.headers.ce_time = Buffer.from('not a time');
    message.headers.traceparent = Buffer.from('00-xyz');
    const error = decodeError(message);
    expect(error).toMatch(/^invalid CloudEvent: /);
    expect(error).toContain('header ce_time:');
    expect(error).toContain('header ce_flintprovider:');
    expect(error).toContain('header traceparent: ');
    expect(error).toContain('a W3C traceparent');
  });

  it('keeps unknown ce_ headers as extensions, and rejects a wrong spec version', () => {
    const message = asConsumed(encodeCloudEvent(event()));
    message.headers.ce_colour = Buffer.from('red');
    expect(decodeCloudEvent(message)).toMatchObject({ colour: 'red' });
    message.headers.ce_specversion = Buffer.from('0.3');
    expect(decodeError(message)).toContain('header ce_specversion:');
  });

  it('rejects a repeated header instead of guessing which one counts', () => {
    const message = asConsumed(encodeCloudEvent(event()));
    message.headers.ce_id = [Buffer.from('a'), Buffer.from('b')];
    expect(decodeError(message)).toBe('header ce_id appears 2 times; expected once');
  });

  it('rejects a ce_data header', () => {
    const message = asConsumed(encodeCloudEvent(event()));
    message.headers.ce_data = Buffer.from('{}');
    expect(decodeError(message)).toContain('header ce_data is not allowed');
  });

  it('rejects a structured-mode event that is not a JSON object', () => {
    expect(
      decodeError({
        value: Buffer.from('[1,2]'),
        headers: { 'content-type': 'application/cloudevents+json' },
      }),
    ).toBe('structured-mode CloudEvent must be a JSON object');
  });

  it('refuses data nested deeper than Flint walks, and a NUL that PostgreSQL cannot store', () => {
    const deep = asConsumed(encodeCloudEvent(event()));
    deep.value = Buffer.from(`${'['.repeat(3000)}${']'.repeat(3000)}`);
    expect(decodeError(deep)).toEqual(
      expect.stringMatching(
        /^Flint cannot process this event: the event at data(\[0\])+ nests deeper than 100 levels$/,
      ),
    );
    const nul = asConsumed(encodeCloudEvent(event({ data: { kind: 'a\u0000b' } })));
    expect(decodeError(nul)).toBe(
      'Flint cannot process this event: the event at data.kind contains a NUL character (\\u0000)',
    );
    const text = asConsumed(
      encodeCloudEvent(event({ datacontenttype: 'text/plain', data: 'a\u0000' })),
    );
    expect(decodeError(text)).toContain('the event at data contains a NUL character');
    const subject = asConsumed(encodeCloudEvent(event()));
    subject.headers.ce_subject = Buffer.from('a\u0000b');
    expect(decodeError(subject)).toContain('the event at subject contains a NUL character');
    const structured = {
      value: Buffer.from(JSON.stringify({ ...event(), data: { k: '\u0000' } })),
      headers: { 'content-type': 'application/cloudevents+json' },
    };
    expect(decodeError(structured)).toContain('the event at data.k contains a NUL character');
  });

  it('keeps binary data with NUL bytes: bytes are stored as bytes', () => {
    const bytes = Buffer.from([0, 1, 0]);
    const decoded = decodeCloudEvent(
      asConsumed(
        encodeCloudEvent(event({ datacontenttype: 'application/octet-stream', data: bytes })),
      ),
    );
    expect(decoded.data).toEqual(bytes);
  });
});
