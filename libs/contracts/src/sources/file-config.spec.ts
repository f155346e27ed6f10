import { problemsOf } from '../spec-helpers';
import { FileConfigSchema, fileEventType } from './file-config';

describe('FileConfigSchema', () => {
  it('accepts excludes, polling, emitExisting and hashing', () => {
    const config = {
      directory: '/data/in',
      pattern: '**/*.csv',
      events: ['created', 'modified', 'deleted'],
      stableForMs: 500,
      recursive: false,
      exclude: ['tmp/**', '*.part'],
      usePolling: true,
      pollIntervalMs: 200,
      emitExisting: true,
      hashContent: true,
    };
    expect(FileConfigSchema.parse(config)).toEqual(config);
  });

  it('rejects a poll interval without polling and an empty exclude glob', () => {
    expect(
      problemsOf(FileConfigSchema, { directory: '/x', pollIntervalMs: 100, exclude: [''] }),
    ).toEqual([
      { path: 'exclude[0]', message: 'must not be empty' },
      { path: 'pollIntervalMs', message: 'only applies when usePolling is true' },
    ]);
  });
});

describe('FileConfigSchema globs', () => {
  it('accepts one glob or a list of globs for pattern and exclude', () => {
    const config = { directory: '/x', pattern: ['**/*.csv', '**/*.tsv'], exclude: 'tmp/**' };
    expect(FileConfigSchema.parse(config)).toMatchObject(config);
  });

  it('says what is wrong with a glob or a list of them', () => {
    expect(
      problemsOf(FileConfigSchema, { directory: '/x', pattern: [], exclude: ['a', 'a'] }),
    ).toEqual([
      { path: 'pattern', message: 'must list at least one glob' },
      { path: 'exclude', message: 'must not repeat a glob' },
    ]);
    expect(problemsOf(FileConfigSchema, { directory: '/x', pattern: '', exclude: 5 })).toEqual([
      { path: 'pattern', message: 'must not be empty' },
      { path: 'exclude', message: 'must be a string or a list' },
    ]);
  });
});

describe('fileEventType', () => {
  it('names the event types', () => {
    expect(fileEventType('created')).toBe('flint.file.created');
    expect(fileEventType('deleted')).toBe('flint.file.deleted');
  });
});
