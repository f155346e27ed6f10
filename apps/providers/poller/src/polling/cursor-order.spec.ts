import { asCursorValue, compareCursors } from './cursor-order';

describe('compareCursors', () => {
  it('orders numbers by value and ISO dates by instant', () => {
    expect(compareCursors(9, 10)).toBeLessThan(0);
    expect(compareCursors('2024-05-01T12:00:00+02:00', '2024-05-01T11:00:00Z')).toBeLessThan(0);
    expect(compareCursors('2024-05-02', '2024-05-01T23:00:00Z')).toBeGreaterThan(0);
  });

  it('orders other strings lexically', () => {
    expect(compareCursors('b', 'a')).toBeGreaterThan(0);
    expect(compareCursors('a', 'a')).toBe(0);
  });

  it('refuses to compare a number with a string', () => {
    expect(() => compareCursors(1, 'a')).toThrow('cannot compare cursor values 1 and "a"');
  });
});

describe('asCursorValue', () => {
  it('accepts strings and numbers and names what else it got', () => {
    expect(asCursorValue('x', 'cursor field')).toBe('x');
    expect(asCursorValue(BigInt(5), 'cursor field')).toBe(5);
    expect(() => asCursorValue(null, 'cursor field')).toThrow(
      'cursor field gave null; it must give a string or a number',
    );
  });
});
