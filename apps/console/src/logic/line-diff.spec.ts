import { diffLines, foldUnchanged } from './line-diff';

describe('diffLines', () => {
  it('marks the lines added and removed, numbered on their own side', () => {
    const diff = diffLines('a\nb\nc\n', 'a\nB\nc\nd\n');
    expect(diff).toEqual([
      { kind: 'same', text: 'a', oldLine: 1, newLine: 1 },
      { kind: 'removed', text: 'b', oldLine: 2 },
      { kind: 'added', text: 'B', newLine: 2 },
      { kind: 'same', text: 'c', oldLine: 3, newLine: 3 },
      { kind: 'added', text: 'd', newLine: 4 },
    ]);
  });

  it('finds nothing between equal texts', () => {
    expect(diffLines('x\ny', 'x\ny').every((line) => line.kind === 'same')).toBe(true);
    expect(diffLines('', '')).toEqual([]);
  });

  it('folds long unchanged stretches around the changes', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 10', 'line ten');
    const folded = foldUnchanged(diffLines(before, after), 2);
    expect(folded[0]).toEqual({ kind: 'folded', count: 8 });
    expect(folded.filter((l) => l.kind !== 'folded')).toHaveLength(6);
    expect(folded[folded.length - 1]).toEqual({ kind: 'folded', count: 7 });
  });
});
