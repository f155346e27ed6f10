import { DLQ_HEADERS, DlqHeadersSchema, DlqReasonSchema } from './dlq';
import { problemsOf } from './spec-helpers';

describe('DLQ contract', () => {
  it('names the headers', () => {
    expect(DLQ_HEADERS).toEqual({
      reason: 'flint_dlq_reason',
      error: 'flint_dlq_error',
      sourceTopic: 'flint_dlq_source_topic',
      sourcePartition: 'flint_dlq_source_partition',
      sourceOffset: 'flint_dlq_source_offset',
      failedAt: 'flint_dlq_failed_at',
      sourceId: 'flint_dlq_source_id',
      origin: 'flint_dlq_origin',
    });
  });

  it('reads the headers of a dead letter and ignores the original ones', () => {
    const headers = {
      flint_dlq_reason: 'invalid',
      flint_dlq_error: 'ce_type: required',
      flint_dlq_source_topic: 'flint.events',
      flint_dlq_source_partition: '2',
      flint_dlq_source_offset: '1045',
      flint_dlq_failed_at: '2024-05-01T12:00:00.000Z',
      ce_id: 'abc',
    };
    const { ce_id: _original, ...dlq } = headers;
    expect(DlqHeadersSchema.parse(headers)).toEqual(dlq);
  });

  it('rejects an unknown reason and a source position that is no number', () => {
    expect(problemsOf(DlqReasonSchema, 'oops')).toEqual([
      { path: '', message: 'must be one of: undecodable, invalid, processing-failed, too-large' },
    ]);
    expect(
      problemsOf(DlqHeadersSchema, {
        flint_dlq_reason: 'undecodable',
        flint_dlq_source_topic: 'flint.events',
        flint_dlq_source_partition: 'two',
        flint_dlq_failed_at: '2024-05-01T12:00:00Z',
      }),
    ).toEqual([{ path: 'flint_dlq_source_partition', message: 'must be a partition number' }]);
  });
});
