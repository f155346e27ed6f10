import { definitionChanges, formatChange } from './definition-diff';

describe('definitionChanges', () => {
  const stored = {
    kind: 'trigger',
    id: 'deploy',
    owner: 'platform',
    enabled: true,
    sources: ['github'],
    condition: "event.data.ref == 'refs/heads/main'",
    target: { type: 'http', url: 'https://a.example.com' },
    dedupe: { key: 'event.id', window: '1h' },
    version: 3,
    updatedAt: '2026-01-01T00:00:00.000Z',
  };

  it('finds nothing when only server fields and key order differ', () => {
    const { version: _v, updatedAt: _u, ...file } = stored;
    const reordered = Object.fromEntries(Object.entries(file).reverse());
    expect(definitionChanges(stored, reordered)).toEqual([]);
  });

  it('lists changed, added and removed fields by path, in path order', () => {
    const next = {
      ...stored,
      sources: ['github', 'gitlab'],
      condition: 'true',
      target: { type: 'http', url: 'https://b.example.com' },
      dedupe: undefined,
      input: { commit: 'event.data.after' },
    };
    const changes = definitionChanges(stored, next);
    expect(changes.map(formatChange)).toEqual([
      `condition: "event.data.ref == 'refs/heads/main'" → "true"`,
      '- dedupe.key: "event.id"',
      '- dedupe.window: "1h"',
      '+ input.commit: "event.data.after"',
      '+ sources[1]: "gitlab"',
      'target.url: "https://a.example.com" → "https://b.example.com"',
    ]);
  });

  it('reports a value that turns from an object into a scalar at the object’s fields', () => {
    expect(
      definitionChanges({ config: { auth: { type: 'none' } } }, { config: { auth: 'x' } }).map(
        formatChange,
      ),
    ).toEqual(['+ config.auth: "x"', '- config.auth.type: "none"']);
  });
});
