import { sampleFromRecent } from './sample-event';

const recent = {
  id: 'e1',
  type: 'flint.webhook.received',
  time: '2026-05-01T12:00:00.000Z',
  acceptedAt: '2026-05-01T12:00:00.010Z',
  provider: 'webhook',
  dataExcerpt: '{"ref":"refs/heads/main"}',
  dataTruncated: false,
};

describe('sampleFromRecent', () => {
  it('makes a complete sample of an event whose data was kept whole', () => {
    expect(sampleFromRecent('github', recent)).toEqual({
      complete: true,
      sample: {
        id: 'e1',
        type: 'flint.webhook.received',
        time: '2026-05-01T12:00:00.000Z',
        flintsourceid: 'github',
        flintprovider: 'webhook',
        data: { ref: 'refs/heads/main' },
      },
    });
  });

  it('keeps text data as text, and says when the data was cut', () => {
    expect(sampleFromRecent('s', { ...recent, dataExcerpt: 'plain' }).sample.data).toBe('plain');
    const cut = sampleFromRecent('s', {
      ...recent,
      dataExcerpt: '{"ref":"re',
      dataTruncated: true,
    });
    expect(cut).toMatchObject({ complete: false, sample: { data: '{"ref":"re' } });
  });
});
