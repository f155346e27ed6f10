import { SeenKeys } from './seen-keys';

describe('SeenKeys', () => {
  it('remembers the newest keys up to its capacity', () => {
    const seen = new SeenKeys(3, ['a', 'b']);
    seen.add('c');
    seen.add('d');
    expect(seen.toArray()).toEqual(['b', 'c', 'd']);
    expect(seen.has('a')).toBe(false);
    expect(seen.has('d')).toBe(true);
  });

  it('moves a key seen again to the newest end', () => {
    const seen = new SeenKeys(3, ['a', 'b', 'c']);
    seen.add('a');
    seen.add('d');
    expect(seen.toArray()).toEqual(['c', 'a', 'd']);
  });
});
