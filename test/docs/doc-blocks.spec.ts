import { DocMarkerError, docBlocks, matchesShown, shownCommands } from './doc-blocks';

describe('docBlocks', () => {
  it('finds shell and YAML blocks with their line and mode, indented ones too', () => {
    const page = [
      '# Title',
      '```sh',
      'npm start',
      '```',
      '<!-- docs-test: not runnable: needs a Kubernetes cluster -->',
      '',
      '```yaml',
      'kind: Deployment',
      '```',
      '- a step:',
      '  <!-- docs-test: compare -->',
      '  ```bash',
      '  echo hi',
      '  # hi',
      '  ```',
      '```json',
      '{}',
      '```',
    ].join('\n');
    expect(docBlocks('page.md', page)).toEqual([
      {
        file: 'page.md',
        line: 2,
        language: 'shell',
        body: 'npm start',
        mode: { run: true, compare: false },
      },
      {
        file: 'page.md',
        line: 7,
        language: 'yaml',
        body: 'kind: Deployment',
        mode: { run: false, reason: 'needs a Kubernetes cluster' },
      },
      {
        file: 'page.md',
        line: 12,
        language: 'shell',
        body: 'echo hi\n# hi',
        mode: { run: true, compare: true },
      },
    ]);
  });

  it('refuses a marker it cannot read, or one that marks nothing it runs', () => {
    expect(() => docBlocks('a.md', '<!-- docs-test: skip -->\n```sh\nls\n```')).toThrow(
      new DocMarkerError(
        'a.md:1: unknown docs-test marker "skip"; use "not runnable: <why>" or "compare"',
      ),
    );
    expect(() =>
      docBlocks('a.md', '<!-- docs-test: not runnable: x -->\n```json\n{}\n```'),
    ).toThrow(/a docs-test marker before a json block/);
    expect(() => docBlocks('a.md', 'text\n<!-- docs-test: compare -->\n')).toThrow(
      /before no block/,
    );
    expect(() => docBlocks('a.md', '```sh\nls\n')).toThrow(/never closed/);
  });
});

describe('shownCommands and matchesShown', () => {
  it('pairs each command (continued lines included) with the output lines shown after it', () => {
    const body = [
      '# prose before any command',
      'curl -X POST http://x \\',
      "  -d '{}'",
      '# {"eventId":"…"}  — 202 after Kafka acknowledged it',
      'echo done',
    ].join('\n');
    expect(shownCommands(body)).toEqual([
      {
        command: "curl -X POST http://x \\\n  -d '{}'",
        expected: ['{"eventId":"…"}  — 202 after Kafka acknowledged it'],
      },
      { command: 'echo done', expected: [] },
    ]);
  });

  it('matches shown lines in order, … for anything, prose after a dash ignored', () => {
    const shown = ['{"eventId":"…"}  — 202 after Kafka acknowledged it', 'second'];
    expect(matchesShown(shown, '{"eventId":"3f2a"}\nsecond')).toBe(true);
    expect(matchesShown(shown, 'second\n{"eventId":"3f2a"}')).toBe(false);
    expect(matchesShown(['matched: yes'], 'matched: no')).toBe(false);
  });
});
