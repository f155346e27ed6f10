import { EventContext, eventView } from './event-context';
import { eventFromJson, eventJson } from './event-json';
import { sampleEvent } from './test-events';

describe('the event expressions see', () => {
  it('has every attribute plus a map of the extensions', () => {
    const view = eventView(sampleEvent({ subject: undefined }));
    expect(view).toMatchObject({
      id: 'delivery-1',
      type: 'com.github.push',
      flintprovider: 'webhook',
    });
    expect(view).not.toHaveProperty('subject');
    expect(view.extensions).toEqual({
      flintsourceid: 'github',
      flintprovider: 'webhook',
      flintacceptedat: '2026-01-02T03:04:05.100Z',
    });
  });

  it('builds the CEL form once, with whole numbers as ints', () => {
    const context = new EventContext(sampleEvent());
    const cel = context.cel as { data: { amount: unknown; price: unknown } };
    expect(cel.data.amount).toBe(1500n);
    expect(cel.data.price).toBe(9.5);
    expect(context.cel).toBe(cel);
  });

  it('gives binary data as data_base64 in the JSON form', () => {
    const json = eventJson(
      sampleEvent({ datacontenttype: 'application/octet-stream', data: Buffer.from('hi') }),
    );
    expect(json.data_base64).toBe('aGk=');
    expect(json).not.toHaveProperty('data');
    expect(eventJson(sampleEvent()).data).toEqual(sampleEvent().data);
  });

  it('reads the JSON form back into the same event', () => {
    const binary = sampleEvent({ datacontenttype: 'image/png', data: Buffer.from([1, 2, 3]) });
    expect(eventFromJson(eventJson(binary))).toEqual(binary);
    expect(eventFromJson(JSON.parse(JSON.stringify(eventJson(sampleEvent()))))).toEqual(
      sampleEvent(),
    );
  });
});
