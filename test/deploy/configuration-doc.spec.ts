import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SERVICE_NAMES } from '@flint/contracts';
import { portVariable } from '@flint/service-kit';

const root = join(__dirname, '..', '..');
const VARIABLE = /\b(?:FLINT|KAFKA|DATABASE|OTEL)_[A-Z0-9_]*[A-Z0-9]\b/g;
/** In shell scripts only `${NAME:-default}` reads the environment; other names are the script's own. */
const SHELL_VARIABLE = /\$\{((?:FLINT|KAFKA|DATABASE|OTEL)_[A-Z0-9_]*[A-Z0-9]):[-+=?]/g;

function variablesIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.sh')) return [...text.matchAll(SHELL_VARIABLE)].map((m) => m[1]);
  return text.match(VARIABLE) ?? [];
}
/** Prefixes, not variables: code that builds a name such as `FLINT_${service}_PORT`. */
const NOT_VARIABLES = new Set(['FLINT_TOPIC', 'KAFKA_SASL', 'KAFKA_SSL_CA']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    const isSource = /\.(ts|mjs|sh)$/.test(name) && !/\.(spec|test)\.ts$/.test(name);
    return isSource ? [path] : [];
  });
}

describe('docs/configuration.md', () => {
  const doc = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
  const used = new Map<string, string>();
  // deploy/docker: the image's entry script reads FLINT_SERVICE.
  for (const dir of ['apps', 'libs', 'scripts', join('deploy', 'docker')]) {
    for (const file of sourceFiles(join(root, dir))) {
      for (const name of variablesIn(file)) {
        if (!NOT_VARIABLES.has(name) && !used.has(name)) used.set(name, relative(root, file));
      }
    }
  }

  it('finds the variables the code reads', () => {
    expect(used.has('KAFKA_BROKERS')).toBe(true);
    expect(used.has('DATABASE_URL')).toBe(true);
    expect(variablesIn(join(root, 'deploy', 'docker', 'entrypoint.sh'))).toContain('FLINT_SERVICE');
  });

  it('documents every environment variable the code reads', () => {
    const undocumented = [...used].filter(([name]) => !doc.includes(`\`${name}\``));
    expect(undocumented.map(([name, file]) => `${name} (read in ${file})`)).toEqual([]);
  });

  it('documents the port variable of every registered service', () => {
    for (const service of SERVICE_NAMES) expect(doc).toContain(`\`${portVariable(service)}\``);
  });
});
