import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Where the repository is, and the facts about it that several deployment specs check against. */
export const root = join(__dirname, '..', '..', '..');

export const ENTRYPOINT = 'deploy/docker/entrypoint.sh';

/**
 * Folders of apps/ that are no long-running service of their own: the CLI, the one-process laptop
 * stack, the one-shot job, and the web console (files the api serves).
 */
export const NOT_SERVICES = new Set(['cli', 'console', 'local-stack', 'provision']);

/** The one-shot job every deployment runs before the services: migrations and topics. */
export const PROVISION_JOB = 'provision';

export function readText(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

export function readYaml<T>(path: string): T {
  // `merge: true` resolves `<<: *anchor` the way docker compose does.
  return parse(readText(path), { merge: true }) as T;
}

/** The folders of apps/ and apps/providers/ that run as long-lived services. */
export function serviceApps(): string[] {
  const folders = (dir: string) =>
    readdirSync(join(root, dir)).filter((name) => statSync(join(root, dir, name)).isDirectory());
  return [...folders('apps').filter((name) => name !== 'providers'), ...folders('apps/providers')]
    .filter((name) => !NOT_SERVICES.has(name))
    .sort();
}

function walk(dir: string, accept: (name: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path, accept);
    return accept(name) ? [path] : [];
  });
}

/** Every `.ts` file under apps/ and libs/ that ships: specs and tests read nothing at run time. */
export function shippedSources(): string[] {
  return ['apps', 'libs'].flatMap((dir) =>
    walk(join(root, dir), (name) => name.endsWith('.ts') && !/\.(spec|test)\.ts$/.test(name)).map(
      (path) => readFileSync(path, 'utf8'),
    ),
  );
}

/** The variables that neither the shipped code nor the entry script mentions by name. */
export function unreadVariables(variables: string[]): string[] {
  const readers = [...shippedSources(), readText(ENTRYPOINT)];
  return variables.filter(
    (variable) => !readers.some((text) => new RegExp(`\\b${variable}\\b`).test(text)),
  );
}

/** The names of the variables docs/configuration.md documents (each written as `NAME` in a table). */
export function documentedVariables(): Set<string> {
  const doc = readText('docs/configuration.md');
  return new Set([...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]));
}
