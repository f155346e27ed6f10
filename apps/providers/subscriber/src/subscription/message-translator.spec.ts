import type { Delivery } from './delivery';
import { type MessageSettings, translate } from './message-translator';

const settings: MessageSettings = {
  format: 'json',
  type: 'com.example.order',
  maxMessageBytes: 1024,
};

function delivery(body: string | Buffer, extra: Partial<Delivery> = {}): Delivery {
  return {
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    headers: {},
    origin: 'orders/0@7',
    ...extra,
  };
}

describe('translate', () => {
  it('wraps a JSON message in an event of the configured type, its id the protocol identity', () => {
    const time = new Date('2026-01-02T03:04:05.000Z');
    expect(
      translate(
        delivery('{"order":7}', { identity: 'orders/0/7', subject: 'orders', time }),
        settings,
      ),
    ).toEqual({
      event: {
        id: 'orders/0/7',
        type: 'com.example.order',
        data: { order: 7 },
        datacontenttype: 'application/json',
        subject: 'orders',
        time,
      },
    });
  });

  it('takes the id from a configured header or payload field, else from the content', () => {
    const byHeader = translate(
      delivery('{}', { headers: { 'Message-Id': 'm-1' }, identity: 'x' }),
      {
        ...settings,
        eventId: { header: 'message-id' },
      },
    );
    expect(byHeader).toMatchObject({ event: { id: 'm-1' } });
    const byField = translate(delivery('{"data":{"id":42}}'), {
      ...settings,
      eventId: { field: 'data.id' },
    });
    expect(byField).toMatchObject({ event: { id: '42' } });
    const first = translate(delivery('{"a":1}', { subject: 's' }), settings);
    const again = translate(delivery('{"a":1}', { subject: 's' }), settings);
    const other = translate(delivery('{"a":2}', { subject: 's' }), settings);
    expect(first).toMatchObject({ event: { id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) } });
    expect(again).toEqual(first);
    expect((other as { event: { id: string } }).event.id).not.toBe(
      (first as { event: { id: string } }).event.id,
    );
  });

  it('reads text and bytes when the source declares them, and uses a type the protocol names', () => {
    expect(
      translate(delivery('héllo', { type: 'ping' }), { ...settings, format: 'text' }),
    ).toMatchObject({
      event: { type: 'ping', data: 'héllo', datacontenttype: 'text/plain; charset=utf-8' },
    });
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(translate(delivery(bytes), { ...settings, format: 'bytes' })).toMatchObject({
      event: { data: bytes, datacontenttype: 'application/octet-stream' },
    });
  });

  it('takes a structured-mode CloudEvent as it is, with its extensions', () => {
    const envelope = {
      specversion: '1.0',
      id: 'evt-1',
      source: 'https://shop.example/orders',
      type: 'com.example.order.created',
      time: '2026-01-02T03:04:05Z',
      subject: 'order-7',
      partitionkey: 'order-7',
      sequence: 3,
      data: { total: 12 },
    };
    expect(
      translate(
        delivery(JSON.stringify(envelope), {
          headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
          identity: 'ignored',
        }),
        settings,
      ),
    ).toEqual({
      event: {
        id: 'evt-1',
        source: 'https://shop.example/orders',
        type: 'com.example.order.created',
        time: '2026-01-02T03:04:05Z',
        subject: 'order-7',
        data: { total: 12 },
        extensions: { partitionkey: 'order-7', sequence: 3 },
      },
    });
  });

  it('takes a binary-mode CloudEvent from ce_ or ce- headers', () => {
    const headers = {
      ce_specversion: '1.0',
      ce_id: 'evt-2',
      ce_source: '/billing',
      ce_type: 'com.example.invoice.paid',
      ce_traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'content-type': 'application/json',
    };
    expect(translate(delivery('{"paid":true}', { headers }), settings)).toMatchObject({
      event: {
        id: 'evt-2',
        source: '/billing',
        type: 'com.example.invoice.paid',
        datacontenttype: 'application/json',
        data: { paid: true },
      },
    });
    expect(
      translate(
        delivery('hi', {
          headers: {
            'ce-specversion': '1.0',
            'ce-id': 'e',
            'ce-source': 's',
            'ce-type': 't',
            'content-type': 'text/plain',
          },
        }),
        settings,
      ),
    ).toMatchObject({ event: { id: 'e', data: 'hi' } });
  });

  it('refuses what is not the declared format, too large, or a CloudEvent without its id', () => {
    expect(translate(delivery('not json'), settings)).toEqual({
      bad: {
        reason: 'undecodable',
        error: expect.stringMatching(/^the message \(format json\) is not valid JSON: /),
      },
    });
    expect(translate(delivery(Buffer.from([0xff, 0xfe])), { ...settings, format: 'text' })).toEqual(
      {
        bad: { reason: 'undecodable', error: 'the message (format text) is not valid UTF-8' },
      },
    );
    expect(translate(delivery('x'.repeat(1025)), settings)).toEqual({
      bad: {
        reason: 'too-large',
        error: 'the message has 1025 bytes; this source takes at most 1024 (maxMessageBytes)',
      },
    });
    expect(
      translate(
        delivery('{"specversion":"1.0","source":"s","type":"t"}', {
          headers: { 'Content-Type': 'application/cloudevents+json' },
        }),
        settings,
      ),
    ).toEqual({ bad: { reason: 'invalid', error: 'the CloudEvent has no id attribute' } });
    expect(translate(delivery('{"a":"\\u0000"}'), settings)).toEqual({
      bad: {
        reason: 'invalid',
        error:
          'Flint cannot process this message: the payload at a contains a NUL character (\\u0000)',
      },
    });
  });
});
