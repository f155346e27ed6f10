import type { CloudEvent } from '@flint/contracts';

/** A webhook event for specs; `data` and attributes can be replaced. */
export function sampleEvent(overrides: Partial<CloudEvent> = {}): CloudEvent {
  return {
    specversion: '1.0',
    id: 'delivery-1',
    source: 'flint/webhook/github',
    type: 'com.github.push',
    subject: 'refs/heads/main',
    time: '2026-01-02T03:04:05.000Z',
    datacontenttype: 'application/json',
    data: {
      ref: 'refs/heads/main',
      role: 'admin',
      amount: 1500,
      price: 9.5,
      tags: ['a', 'b'],
      commits: [{ id: 'c1' }, { id: 'c2' }],
      deleted: null,
    },
    flintsourceid: 'github',
    flintprovider: 'webhook',
    flintacceptedat: '2026-01-02T03:04:05.100Z',
    ...overrides,
  };
}
