import { withStreamed } from './live-list';

describe('withStreamed', () => {
  const id = (item: { id: string }) => item.id;

  it('puts new items on top, newest first, and changed ones in their place', () => {
    const loaded = [
      { id: 'b', status: 'STARTED' },
      { id: 'a', status: 'SUCCEEDED' },
    ];
    const streamed = [
      { id: 'd', status: 'REQUESTED' },
      { id: 'b', status: 'FAILED' },
      { id: 'c', status: 'STARTED' },
    ];
    expect(withStreamed(loaded, streamed, id)).toEqual([
      { id: 'd', status: 'REQUESTED' },
      { id: 'c', status: 'STARTED' },
      { id: 'b', status: 'FAILED' },
      { id: 'a', status: 'SUCCEEDED' },
    ]);
  });

  it('waits for the page', () => {
    expect(withStreamed(undefined, [{ id: 'a' }], id)).toBeUndefined();
  });
});
