import { BadRequestException } from '@nestjs/common';
import { decodeRunCursor, encodeRunCursor } from './run-cursor';

describe('run history cursors', () => {
  it('round-trip the position of the last run of a page', () => {
    const cursor = { createdAt: new Date('2026-05-01T10:00:00.123Z'), seq: '9007199254740993' };
    const text = encodeRunCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeRunCursor(text)).toEqual(cursor);
  });

  it('refuse anything this API did not hand out', () => {
    const forged = (value: unknown) =>
      Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    for (const text of [
      'not-a-cursor',
      forged({ at: 'yesterday', seq: '1' }),
      forged({ at: '2026-05-01T10:00:00Z', seq: 1 }),
      forged({ at: '2026-05-01T10:00:00Z', seq: '1; DROP TABLE runs' }),
      forged(null),
    ]) {
      expect(() => decodeRunCursor(text)).toThrow(BadRequestException);
    }
  });
});
