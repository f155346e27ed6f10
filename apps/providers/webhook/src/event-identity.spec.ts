import { WebhookConfigSchema } from '@flint/contracts';
import { EventIdentityError, deliveryId, eventType } from './event-identity';

const config = (extra: Record<string, unknown> = {}) =>
  WebhookConfigSchema.parse({ path: 'x', auth: { type: 'none' }, ...extra });

describe('deliveryId', () => {
  it('prefers the configured header, then the configured body field', () => {
    const headers = { 'x-request-id': 'r-1', 'x-github-delivery': 'gh-1' };
    expect(deliveryId(config({ eventId: { header: 'X-Request-Id' } }), headers, {})).toBe('r-1');
    expect(
      deliveryId(config({ eventId: { bodyField: 'meta.id' } }), {}, { meta: { id: 42 } }),
    ).toBe('42');
  });

  it('falls back to GitHub, Stripe and Idempotency-Key ids, in that order', () => {
    expect(deliveryId(config(), { 'x-github-delivery': 'gh-1', 'idempotency-key': 'k' }, {})).toBe(
      'gh-1',
    );
    const stripe = config({ auth: { type: 'stripe', secretRef: 's' } });
    expect(deliveryId(stripe, { 'idempotency-key': 'k' }, { id: 'evt_123' })).toBe('evt_123');
    expect(deliveryId(config(), { 'idempotency-key': 'k' }, { id: 'evt_123' })).toBe('k');
    expect(deliveryId(config({ eventId: { header: 'X-Missing' } }), {}, {})).toBeUndefined();
  });

  it('refuses an id longer than a CloudEvent id may be', () => {
    expect(() => deliveryId(config(), { 'idempotency-key': 'k'.repeat(513) }, undefined)).toThrow(
      EventIdentityError,
    );
  });
});

describe('eventType', () => {
  it('is fixed, or the prefixed header with a fallback', () => {
    expect(eventType(config({ eventType: 'com.example.hook' }), {})).toBe('com.example.hook');
    const fromHeader = config({ eventType: { header: 'X-GitHub-Event', prefix: 'github.' } });
    expect(eventType(fromHeader, { 'x-github-event': 'push' })).toBe('github.push');
    expect(eventType(fromHeader, {})).toBe('flint.webhook.received');
  });

  it('refuses a header value that is no event type', () => {
    const fromHeader = config({ eventType: { header: 'X-Kind' } });
    expect(() => eventType(fromHeader, { 'x-kind': 'a b' })).toThrow(
      'header X-Kind does not give a valid event type',
    );
  });
});
