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

  it('rejects a wrong spec version, missing Flint attributes and a bad provider', () => {
    const { flintsourceid: _sourceId, ...rest } = event;
    expect(
      problemsOf(CloudEventSchema, { ...rest, specversion: '0.3', flintprovider: 'email' }),
    ).toEqual([
      { path: 'specversion', message: 'must be "1.0"' },
      { path: 'flintsourceid', message: 'required' },
      {
        path: 'flintprovider',
        message: 'must be one of: webhook, poller, function, cron, file, api, runner',
      },
    ]);
  });

  it('rejects a bad time and an unknown attribute', () => {
    expect(problemsOf(CloudEventSchema, { ...event, time: 'now', flintextra: 'x' })).toEqual([
      { path: 'time', message: 'must be an ISO 8601 date-time like "2024-05-01T12:00:00Z"' },
      {
        path: 'flintextra',
        message:
          'unknown key "flintextra"; allowed keys: specversion, id, source, type, subject, time, datacontenttype, dataschema, data, flintsourceid, flintprovider, flintacceptedat, flintowner, traceparent',
      },
    ]);
  });
});
