export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
  /** Line number in the old text (same, removed) and in the new one (same, added). */
  oldLine?: number;
  newLine?: number;
}

/**
 * A line diff of two texts by their longest common subsequence: definitions are at most a few
 * hundred lines, so the quadratic table is small, and the result is the minimal edit a person
 * expects to see.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const lcs: Uint32Array[] = Array.from(
    { length: a.length + 1 },
    () => new Uint32Array(b.length + 1),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] =
        a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i]!, oldLine: i + 1, newLine: j + 1 });
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) {
      lines.push({ kind: 'added', text: b[j]!, newLine: j + 1 });
      j++;
    } else {
      lines.push({ kind: 'removed', text: a[i]!, oldLine: i + 1 });
      i++;
    }
  }
  return lines;
}

/** The diff with unchanged stretches longer than twice `context` folded to a count. */
export function foldUnchanged(
  lines: readonly DiffLine[],
  context = 3,
): Array<DiffLine | { kind: 'folded'; count: number }> {
  const changed = lines.map((line) => line.kind !== 'same');
  const near = (index: number) => {
    for (
      let k = Math.max(0, index - context);
      k <= Math.min(lines.length - 1, index + context);
      k++
    ) {
      if (changed[k]) return true;
    }
    return false;
  };
  const out: Array<DiffLine | { kind: 'folded'; count: number }> = [];
  let folded = 0;
  lines.forEach((line, index) => {
    if (line.kind === 'same' && !near(index)) {
      folded++;
      return;
    }
    if (folded > 0) out.push({ kind: 'folded', count: folded });
    folded = 0;
    out.push(line);
  });
  if (folded > 0) out.push({ kind: 'folded', count: folded });
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
