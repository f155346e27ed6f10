import { diffListing, type ListedObject } from './listing-diff';

const object = (etag: string, size = 1): ListedObject => ({ etag, size });

describe('diffListing', () => {
  it('finds the objects created, changed (by ETag) and deleted, in key order', () => {
    const previous = new Map([
      ['a.csv', object('1')],
      ['b.csv', object('2')],
      ['c.csv', object('3', 10)],
    ]);
    const current = new Map([
      ['a.csv', object('1')],
      ['b.csv', object('2b')],
      ['c.csv', object('3', 99)],
      ['0.csv', object('0')],
    ]);
    expect(diffListing(previous, current)).toEqual([
      { event: 'created', key: '0.csv', object: object('0') },
      { event: 'changed', key: 'b.csv', object: object('2b') },
    ]);
    expect(diffListing(current, new Map([['a.csv', object('1')]]))).toEqual([
      { event: 'deleted', key: '0.csv', object: object('0') },
      { event: 'deleted', key: 'b.csv', object: object('2b') },
      { event: 'deleted', key: 'c.csv', object: object('3', 99) },
    ]);
  });
});
