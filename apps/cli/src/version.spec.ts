import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli';
import { flintVersion } from './version';

describe('flint --version', () => {
  it('prints the version of the package the CLI ships in', async () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      version: string;
    };
    const out: string[] = [];
    const code = await runCli(['--version'], {
      out: (l) => out.push(l),
      err: () => {},
      env: {},
      cwd: '/',
    });
    expect(code).toBe(0);
    expect(out).toEqual([manifest.version]);
  });

  it('says unknown outside a Flint checkout rather than failing', () => {
    expect(flintVersion('/')).toBe('unknown');
  });
});
