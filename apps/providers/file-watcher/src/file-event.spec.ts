import { fileEvent, fileEventId } from './file-event';

describe('file events', () => {
  const version = { size: 42, mtimeMs: Date.parse('2024-05-01T10:00:00Z') };

  it('identifies a file version by path, size and mtime', () => {
    expect(fileEventId({ event: 'created', path: 'in/a.csv', version })).toBe(
      `in/a.csv:42:${version.mtimeMs}`,
    );
    expect(fileEventId({ event: 'deleted', path: 'in/a.csv', version })).toBe(
      `in/a.csv:42:${version.mtimeMs}:deleted`,
    );
    expect(fileEventId({ event: 'created', path: 'a', version, sha256: 'ab' })).toBe(
      `a:42:${version.mtimeMs}:ab`,
    );
  });

  it('hashes the id of a very long path', () => {
    expect(fileEventId({ event: 'created', path: 'x'.repeat(500), version })).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });

  it('builds the event with the file in data and the mtime as time', () => {
    expect(fileEvent('/data/in', { event: 'modified', path: 'a.csv', version })).toEqual({
      id: `a.csv:42:${version.mtimeMs}`,
      type: 'flint.file.modified',
      subject: 'a.csv',
      time: new Date(version.mtimeMs),
      data: {
        event: 'modified',
        directory: '/data/in',
        path: 'a.csv',
        size: 42,
        modifiedAt: '2024-05-01T10:00:00.000Z',
      },
    });
    expect(fileEvent('/d', { event: 'deleted', path: 'a', version }).time).toBeUndefined();
  });
});
