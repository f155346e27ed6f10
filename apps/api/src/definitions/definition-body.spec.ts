import type { Definition } from '@flint/contracts';
import { definitionBody, sameJson } from './definition-body';

describe('definitionBody', () => {
  it('drops the store-assigned version and updatedAt and undefined properties', () => {
    const definition = {
      kind: 'source',
      id: 'cron-1',
      owner: 'team-a',
      enabled: true,
      provider: 'cron',
      version: 4,
      updatedAt: '2024-01-01T00:00:00Z',
      description: undefined,
      config: { schedule: '* * * * *' },
    } as unknown as Definition;
    expect(definitionBody(definition)).toEqual({
      kind: 'source',
      id: 'cron-1',
      owner: 'team-a',
      enabled: true,
      provider: 'cron',
      config: { schedule: '* * * * *' },
    });
    expect(Object.keys(definitionBody(definition))).not.toContain('description');
  });
});

describe('sameJson', () => {
  it('ignores object key order at every depth', () => {
    expect(
      sameJson({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    ).toBe(true);
  });

  it('respects array order and values', () => {
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
    expect(sameJson({ a: null }, {})).toBe(false);
  });
});
