import { CloudEventSchema } from './cloud-event';
import { problemsOf } from './spec-helpers';

const event = {
  specversion: '1.0',
  id: 'f3b1c7e2-delivery',
  source: 'flint/webhook/github',
  type: 'github.push',
  time: '2024-05-01T12:00:00.000Z',
  datacontenttype: 'application/json',
  data: { ref: 'refs/heads/main' },
  flintsourceid: 'github',
  flintprovider: 'webhook',
  flintacceptedat: '2024-05-01T12:00:00.010Z',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

describe('CloudEventSchema', () => {
  it('accepts a CloudEvent with Flint extensions and round-trips through JSON', () => {
    expect(CloudEventSchema.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('accepts a time with an offset and an event without data', () => {
    const { data: _data, ...withoutData } = event;
    expect(
      CloudEventSchema.parse({ ...withoutData, time: '2024-05-01T14:00:00+02:00' }),
    ).toMatchObject({
      time: '2024-05-01T14:00:00+02:00',
    });
  });

  it('rejects a wrong spec version, missing Flint attributes and a provider that is no name', () => {
    const { flintsourceid: _sourceId, ...rest } = event;
    expect(
      problemsOf(CloudEventSchema, { ...rest, specversion: '0.3', flintprovider: 'E mail' }),
    ).toEqual([
      { path: 'specversion', message: 'must be "1.0"' },
      { path: 'flintsourceid', message: 'required' },
      { path: 'flintprovider', message: 'must be a provider name like "webhook"' },
    ]);
  });

  it("keeps a foreign producer's extensions and a provider this Flint does not know", () => {
    const foreign = { ...event, flintprovider: 'mailbox', partitionkey: 'order-7', sequence: 3 };
    expect(CloudEventSchema.parse(foreign)).toEqual(foreign);
  });

  it('rejects a bad time, an extension name CloudEvents does not allow, and a structured extension', () => {
    expect(
      problemsOf(CloudEventSchema, { ...event, time: 'now', Extra_Name: 'x', nested: { a: 1 } }),
    ).toEqual([
      { path: 'time', message: 'must be an ISO 8601 date-time like "2024-05-01T12:00:00Z"' },
      { path: 'nested', message: 'must be a string, a number or true or false' },
    ]);
    expect(problemsOf(CloudEventSchema, { ...event, Extra_Name: 'x' })).toEqual([
      {
        path: 'Extra_Name',
        message: 'not a CloudEvents attribute name: use 1 to 20 lower-case letters or digits',
      },
    ]);
  });
});
