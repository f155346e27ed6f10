import { join } from 'node:path';
import { loadUserDefinitions, UserCodeError } from './user-modules';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'user-code');

describe('loadUserDefinitions', () => {
  it('loads the workflows a folder exports, TypeScript and JavaScript, default and named', async () => {
    const loaded = loadUserDefinitions(
      'workflow',
      'FLINT_WORKFLOWS_DIR',
      join(FIXTURES, 'workflows'),
    );
    expect(loaded.map((d) => [d.value.name, d.exportName, d.file.split('/').pop()])).toEqual([
      ['greet', 'default', 'greet.ts'],
      ['pair-first', 'first', 'pair.js'],
      ['pair-second', 'second', 'pair.js'],
    ]);
    const greet = loaded[0]!.value;
    const lines: string[] = [];
    const ctx = {
      runId: 'r',
      triggerId: 't',
      attempt: 1,
      signal: new AbortController().signal,
      log: (l: string) => lines.push(l),
    };
    expect(await greet.run({ name: 'Ada' }, ctx)).toEqual({ greeting: 'hello, Ada' });
    expect(lines).toEqual(['greeting Ada']);
  });

  it('reports every problem of a folder at once, each with its file', () => {
    const folder = join(FIXTURES, 'broken-workflows');
    let error: unknown;
    try {
      loadUserDefinitions(
        'workflow',
        'FLINT_WORKFLOWS_DIR',
        folder,
        new Map([['echo', 'a workflow built into Flint']]),
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserCodeError);
    const problems = (error as UserCodeError).problems.map(
      (p) => `${p.file.slice(folder.length + 1)}: ${p.problem}`,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^a-syntax-error\.js: cannot be loaded: .*(Unexpected|expected)/),
      'b-exports-nothing.js: exports no workflow: export what defineWorkflow() from @flint/sdk returns',
      'c-throws-at-load.js: cannot be loaded: DATABASE_URL is not set',
      'd-takes-echo.js: a workflow named "echo" is already defined by a workflow built into Flint',
      expect.stringMatching(
        /^e-bad-name\.js: cannot be loaded: workflow name "Not A Slug" must be a lowercase slug/,
      ),
      `f-twice.js: a workflow named "twice" is already defined by ${join(folder, 'f-twice.js')}`,
    ]);
    expect((error as Error).message).toMatch(
      /^FLINT_WORKFLOWS_DIR: 6 problem\(s\) in user code:\n {2}\//,
    );
  });

  it('refuses a folder that does not exist, and poll functions where workflows are asked for', () => {
    expect(() => loadUserDefinitions('workflow', 'FLINT_WORKFLOWS_DIR', '/no/such/folder')).toThrow(
      /^FLINT_WORKFLOWS_DIR: 1 problem\(s\) in user code:\n {2}\/no\/such\/folder: cannot be read: ENOENT/,
    );
    expect(() =>
      loadUserDefinitions('poll function', 'FLINT_FUNCTIONS_DIR', join(FIXTURES, 'workflows')),
    ).toThrow(/greet\.ts: exports no poll function: export what definePollFunction\(\)/);
  });
});
