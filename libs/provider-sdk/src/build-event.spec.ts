import { CloudEventSchema } from '@flint/contracts';
import { buildCloudEvent, newTraceparent } from './build-event';

const acceptedAt = new Date('2026-11-22T10:00:00.000Z');

describe('buildCloudEvent', () => {
  it('fills in every Flint attribute and defaults', () => {
    const event = buildCloudEvent(
      { type: 'com.example.tick', data: { n: 1 } },
      { sourceId: 'every-minute', provider: 'cron', acceptedAt },
    );
    expect(CloudEventSchema.parse(event)).toEqual(event);
    expect(event).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source: 'every-minute',
      type: 'com.example.tick',
      time: '2026-11-22T10:00:00.000Z',
      datacontenttype: 'application/json',
      data: { n: 1 },
      flintsourceid: 'every-minute',
      flintprovider: 'cron',
      flintacceptedat: '2026-11-22T10:00:00.000Z',
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
    });
  });

  it("keeps a foreign event's extensions, but not ones that would pose as Flint's own", () => {
    const event = buildCloudEvent(
      {
        id: 'evt-1',
        type: 'com.example.order',
        extensions: {
          partitionkey: 'order-7',
          sequence: 3,
          flintowner: 'someone-else',
          flintsourceid: 'another-source',
          traceparent: 'forged',
          id: 'forged',
        },
      },
      { sourceId: 'orders', provider: 'kafka', acceptedAt },
    );
    expect(CloudEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      id: 'evt-1',
      partitionkey: 'order-7',
      sequence: 3,
      flintsourceid: 'orders',
      flintprovider: 'kafka',
    });
    expect(event).not.toHaveProperty('flintowner');
  });

  it('keeps what the provider set', () => {
    const event = buildCloudEvent(
      {
        id: 'every-minute@2026-11-22T09:59:00Z',
        type: 'flint.cron.tick',
        subject: 'slot',
        time: new Date('2026-11-22T09:59:00Z'),
        source: 'https://example.com/cron',
        dataschema: 'https://example.com/schema.json',
      },
      {
        sourceId: 'every-minute',
        provider: 'cron',
        acceptedAt,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    );
    expect(event).toMatchObject({
      id: 'every-minute@2026-11-22T09:59:00Z',
      subject: 'slot',
      time: '2026-11-22T09:59:00.000Z',
      source: 'https://example.com/cron',
      dataschema: 'https://example.com/schema.json',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(event).not.toHaveProperty('data');
    expect(event).not.toHaveProperty('datacontenttype');
  });

  it('leaves an invalid time for validation to reject', () => {
    const event = buildCloudEvent(
      { type: 't', time: new Date(Number.NaN) },
      { sourceId: 's', provider: 'poller', acceptedAt },
    );
    expect(CloudEventSchema.safeParse(event).success).toBe(false);
  });
});

describe('newTraceparent', () => {
  it('makes a fresh sampled trace each time', () => {
    expect(newTraceparent()).not.toBe(newTraceparent());
  });

  it('never repeats a trace or span id across refills of its pool of random bytes', () => {
    const made = Array.from({ length: 1000 }, () => newTraceparent());
    for (const traceparent of made) {
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    }
    expect(new Set(made.map((t) => t.slice(3, 35))).size).toBe(made.length);
    expect(new Set(made.map((t) => t.slice(36, 52))).size).toBe(made.length);
  });
});
