import type { CloudEvent } from '@flint/contracts';
import { encodeCloudEvent } from './cloud-event-binding';
import { EventSigner, receivedEventDecoder, SIGNATURE_HEADER } from './event-signature';
import type { IncomingMessage } from './messages';

const KEY = 'k'.repeat(32);

const event: CloudEvent = {
  specversion: '1.0',
  id: 'order-7',
  source: 'flint/api',
  type: 'com.example.order',
  time: '2026-03-01T10:00:00.000Z',
  datacontenttype: 'application/json',
  data: { orderId: 7 },
  flintsourceid: 'api',
  flintprovider: 'api',
  flintacceptedat: '2026-03-01T10:00:00.000Z',
  flintowner: 'shop',
};

function received(message: ReturnType<typeof encodeCloudEvent>): IncomingMessage {
  return {
    topic: 'flint.events',
    partition: 0,
    offset: '0',
    key: Buffer.from(message.key),
    value: message.value,
    headers: message.headers,
    timestamp: '0',
  };
}

describe('EventSigner', () => {
  const signer = new EventSigner(KEY);

  it('signs a CloudEvent so that the same key verifies it', () => {
    const signed = signer.sign(encodeCloudEvent(event));
    expect(signed.headers[SIGNATURE_HEADER]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(signer.verify(received(signed))).toBe(true);
  });

  it('refuses a changed owner, type, value, another key, and an unsigned event', () => {
    const signed = signer.sign(encodeCloudEvent(event));
    const changed = (headers: Record<string, string>, value = signed.value) =>
      signer.verify(received({ ...signed, headers: { ...signed.headers, ...headers }, value }));
    expect(changed({ ce_flintowner: 'bank' })).toBe(false);
    expect(changed({ ce_type: 'flint.run.failed' })).toBe(false);
    expect(changed({}, Buffer.from('{"orderId":8}'))).toBe(false);
    expect(changed({ [SIGNATURE_HEADER]: 'v1=00' })).toBe(false);
    expect(new EventSigner('x'.repeat(32)).verify(received(signed))).toBe(false);
    expect(signer.verify(received(encodeCloudEvent(event)))).toBe(false);
  });

  it('leaves messages that are not CloudEvents alone, and re-signs a signed one', () => {
    const runRequest = { key: 'run-1', value: '{}', headers: { traceparent: 'x' } };
    expect(signer.sign(runRequest)).toBe(runRequest);
    const twice = signer.sign(signer.sign(encodeCloudEvent(event)));
    expect(signer.verify(received(twice))).toBe(true);
  });

  it('decodes events as Flint’s when they are signed, or when no key is configured', () => {
    const signed = received(signer.sign(encodeCloudEvent(event)));
    const unsigned = received(encodeCloudEvent(event));
    expect(receivedEventDecoder(signer)(signed)).toEqual({ event, fromFlint: true });
    expect(receivedEventDecoder(signer)(unsigned)).toEqual({ event, fromFlint: false });
    expect(receivedEventDecoder(undefined)(unsigned)).toEqual({ event, fromFlint: true });
  });
});
