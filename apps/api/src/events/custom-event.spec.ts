import { CloudEventSchema } from '@flint/contracts';
import { decodeCloudEvent, encodeCloudEvent } from '@flint/kafka';
import { customEvent } from './custom-event';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const origin = { acceptedAt: new Date('2026-03-01T10:00:00Z'), traceparent: TRACEPARENT };

describe('customEvent', () => {
  it('makes a valid CloudEvent of provider api, keyed and traced', () => {
    const event = customEvent(
      { type: 'com.example.order.created', data: { orderId: 7 } },
      { ...origin, owner: 'shop' },
    );
    expect(CloudEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      type: 'com.example.order.created',
      source: 'flint/api',
      flintprovider: 'api',
      flintsourceid: 'api',
      flintowner: 'shop',
      time: '2026-03-01T10:00:00.000Z',
      datacontenttype: 'application/json',
      data: { orderId: 7 },
      traceparent: TRACEPARENT,
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the caller’s id, source and subject', () => {
    const event = customEvent(
      { type: 'com.example.ping', id: 'order-7', source: 'shop/checkout', subject: 'orders/7' },
      { ...origin, owner: 'default' },
    );
    expect(event).toMatchObject({
      id: 'order-7',
      source: 'shop/checkout',
      subject: 'orders/7',
      flintowner: 'default',
    });
    expect(event).not.toHaveProperty('data');
  });

  it('survives the Kafka binding with its owner attribute', () => {
    const event = customEvent({ type: 'com.example.x', data: [1] }, { ...origin, owner: 'shop' });
    const encoded = encodeCloudEvent(event);
    expect(encoded.key).toBe('api');
    expect(encoded.headers.ce_flintowner).toBe('shop');
    expect(decodeCloudEvent(encoded)).toEqual(event);
  });
});
