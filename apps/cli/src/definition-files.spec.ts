import type { Definition } from '@flint/contracts';
import { issuesByDocument } from './definition-files';

describe('issuesByDocument', () => {
  const definition = { kind: 'source', id: 's' } as Definition;
  const definitions = [
    { file: 'a.yaml', document: 0, definition },
    { file: 'b.yaml', document: 2, definition },
  ];

  it('names the file and document of an API batch problem instead of its position', () => {
    expect(
      issuesByDocument(
        [
          { path: 'definitions[1].condition', message: 'bad' },
          { path: 'definitions[0]', message: 'whole' },
          { path: 'definitions[7].id', message: 'unknown position' },
          { path: 'definitions', message: 'the batch' },
        ],
        definitions,
      ),
    ).toEqual([
      { path: 'b.yaml (document 3): condition', message: 'bad' },
      { path: 'a.yaml (document 1)', message: 'whole' },
      { path: 'definitions[7].id', message: 'unknown position' },
      { path: 'definitions', message: 'the batch' },
    ]);
  });
});
