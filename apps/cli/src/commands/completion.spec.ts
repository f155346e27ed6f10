import { execFileSync } from 'node:child_process';
import { runCli } from '../cli';

async function script(shell: string): Promise<{ code: number; text: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['completion', shell], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {},
    cwd: '/',
  });
  return { code, text: out.join('\n'), err: err.join('\n') };
}

/** What bash offers after typing `words` (the last one being completed), with the script loaded. */
function complete(bashScript: string, words: string[]): string[] {
  const program = [
    bashScript,
    'COMP_WORDS=("$@")',
    'COMP_CWORD=$(($# - 1))',
    '_flint_completion',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return execFileSync('bash', ['-c', program, 'bash', ...words], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe('flint completion', () => {
  it('completes commands, subcommands, kinds, options and option values in bash', async () => {
    const { code, text } = await script('bash');
    expect(code).toBe(0);
    expect(complete(text, ['flint', ''])).toEqual(
      expect.arrayContaining([
        'apply',
        'get',
        'list',
        'runs',
        'context',
        'completion',
        '--version',
      ]),
    );
    expect(complete(text, ['flint', 'se'])).toEqual(['secret']);
    expect(complete(text, ['flint', 'secret', ''])).toEqual(['set', 'list', 'delete', '--help']);
    expect(complete(text, ['flint', 'get', 'tr'])).toEqual(['trigger']);
    expect(complete(text, ['flint', 'list', 'triggers', '--own'])).toEqual(['--owner']);
    expect(complete(text, ['flint', 'get', 'trigger', 'x', '-o', ''])).toEqual([
      'table',
      'json',
      'yaml',
    ]);
    expect(complete(text, ['flint', 'context', 'u'])).toEqual(['use']);
    expect(complete(text, ['flint', 'completion', ''])).toEqual(['bash', 'zsh', '--help']);
  });

  it('wraps the same script for zsh, and refuses other shells', async () => {
    const bash = await script('bash');
    const zsh = await script('zsh');
    expect(zsh.code).toBe(0);
    expect(zsh.text).toContain('bashcompinit');
    expect(zsh.text).toContain(bash.text);
    const fish = await script('fish');
    expect(fish.code).toBe(1);
    expect(fish.err).toContain(
      "'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh",
    );
  });
});
