/**
 * The shell and YAML blocks of a Markdown page, as `npm run test:docs` runs them. A block runs
 * unless the HTML comment right before its fence (blank lines between are allowed) says otherwise:
 *
 *   <!-- docs-test: not runnable: <why> -->   shown, never run (the reason is required)
 *   <!-- docs-test: compare -->               run, and each command's output must match the
 *                                             `# …` lines that follow it in the block
 *
 * Shell blocks (`sh`, `bash`, `shell`) run in order per page; YAML blocks are Flint definitions,
 * applied in order with `npx flint apply`.
 */
export type BlockLanguage = 'shell' | 'yaml';

export type BlockMode = { run: false; reason: string } | { run: true; compare: boolean };

export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: BlockLanguage;
  body: string;
  mode: BlockMode;
}

const LANGUAGES: Record<string, BlockLanguage> = {
  sh: 'shell',
  bash: 'shell',
  shell: 'shell',
  yaml: 'yaml',
  yml: 'yaml',
};

const MARKER = /^\s*<!--\s*docs-test:\s*(.*?)\s*-->\s*$/;
const FENCE = /^(\s*)(`{3,})([A-Za-z]*)\s*$/;

/** A marker the test cannot read: a typo must not silently make a block run or not. */
export class DocMarkerError extends Error {}

export function docBlocks(file: string, markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  let marker: { text: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const markerMatch = MARKER.exec(text);
    if (markerMatch) {
      marker = { text: markerMatch[1]!, line: i + 1 };
      continue;
    }
    const fence = FENCE.exec(text);
    if (!fence) {
      if (text.trim() !== '') marker = undefined;
      continue;
    }
    const [, indent, ticks, tag] = fence;
    const end = lines.findIndex((l, j) => j > i && l.trim() === ticks);
    if (end < 0) throw new DocMarkerError(`${file}:${i + 1}: the code block is never closed`);
    const language = LANGUAGES[tag!.toLowerCase()];
    if (language) {
      const body = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l))
        .join('\n');
      blocks.push({ file, line: i + 1, language, body, mode: modeOf(file, marker) });
    } else if (marker) {
      throw new DocMarkerError(
        `${file}:${marker.line}: a docs-test marker before a ${tag || 'plain'} block, which the test never runs`,
      );
    }
    marker = undefined;
    i = end;
  }
  if (marker)
    throw new DocMarkerError(`${file}:${marker.line}: a docs-test marker before no block`);
  return blocks;
}

function modeOf(file: string, marker: { text: string; line: number } | undefined): BlockMode {
  if (!marker) return { run: true, compare: false };
  if (marker.text === 'compare') return { run: true, compare: true };
  const skip = /^not runnable:\s*(.+)$/.exec(marker.text);
  if (skip) return { run: false, reason: skip[1]! };
  throw new DocMarkerError(
    `${file}:${marker.line}: unknown docs-test marker "${marker.text}"; use "not runnable: <why>" or "compare"`,
  );
}

/** One command of a shell block with the output the page shows for it (`# …` lines after it). */
export interface ShownCommand {
  command: string;
  expected: string[];
}

/**
 * Splits a block into its commands (a line ending in `\` continues) and the output lines shown
 * after each. Comment lines before any command are prose, not output.
 */
export function shownCommands(body: string): ShownCommand[] {
  const commands: ShownCommand[] = [];
  let pending = '';
  for (const line of body.split('\n')) {
    if (pending !== '') {
      pending += `\n${line}`;
      if (!line.endsWith('\\')) {
        commands.push({ command: pending, expected: [] });
        pending = '';
      }
      continue;
    }
    const comment = /^\s*#\s?(.*)$/.exec(line);
    if (comment) {
      commands[commands.length - 1]?.expected.push(comment[1]!);
      continue;
    }
    if (line.trim() === '') continue;
    if (line.endsWith('\\')) pending = line;
    else commands.push({ command: line, expected: [] });
  }
  return commands;
}

/**
 * Whether `output` shows what the page says: each shown line (up to a `  — ` that starts prose, `…`
 * standing for anything) matches an output line, in order.
 */
export function matchesShown(expected: readonly string[], output: string): boolean {
  const actual = output.split('\n');
  let from = 0;
  for (const shown of expected) {
    const text = shown.split('  — ')[0]!.trim();
    if (text === '') continue;
    const pattern = new RegExp(
      `^\\s*${text
        .split('…')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*?')}\\s*$`,
    );
    const found = actual.findIndex((line, index) => index >= from && pattern.test(line));
    if (found < 0) return false;
    from = found + 1;
  }
  return true;
}
