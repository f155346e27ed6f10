import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isPollFunction, isWorkflow, type PollFunction, type Workflow } from '@flint/sdk';
import { resolveSdkToFlintsOwn } from './sdk-resolution';

/** One definition found in a user module: where it came from, so problems and logs can name it. */
export interface UserDefinition<T> {
  value: T;
  /** The absolute path of the module. */
  file: string;
  /** `default` or the name of the export. */
  exportName: string;
}

export interface UserCodeProblem {
  file: string;
  problem: string;
}

/** A folder of user code that Flint refuses to boot with; every problem names its file. */
export class UserCodeError extends Error {
  override readonly name = 'UserCodeError';

  constructor(
    readonly variable: string,
    readonly problems: readonly UserCodeProblem[],
  ) {
    super(
      `${variable}: ${problems.length} problem(s) in user code:\n${problems
        .map((p) => `  ${p.file}: ${p.problem}`)
        .join('\n')}`,
    );
  }
}

/** Module files Flint loads: TypeScript through Node's type stripping, JavaScript as it is. */
const MODULE_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;
/** Declarations, tests and specs are kept beside user code, but are not user code. */
const NOT_A_MODULE = /(\.d\.[cm]?ts|\.(spec|test)\.[cm]?[jt]s)$/;

const KINDS = {
  workflow: { is: isWorkflow, made: 'defineWorkflow' },
  'poll function': { is: isPollFunction, made: 'definePollFunction' },
} as const;
type Kind = keyof typeof KINDS;
type Made<K extends Kind> = K extends 'workflow' ? Workflow : PollFunction;

/**
 * Loads every module file directly in `folder` (not in subfolders, which can hold the modules'
 * helpers) and returns the definitions of `kind` they export, default or named. A module that
 * cannot be loaded or exports none, and a name used twice (or by one of `taken`), are problems; all
 * of them are reported at once in a UserCodeError.
 */
export function loadUserDefinitions<K extends Kind>(
  kind: K,
  variable: string,
  folder: string,
  taken: ReadonlyMap<string, string> = new Map(),
): UserDefinition<Made<K>>[] {
  const root = resolve(folder);
  const problems: UserCodeProblem[] = [];
  let files: string[];
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a folder');
    files = readdirSync(root)
      .filter((name) => MODULE_FILE.test(name) && !NOT_A_MODULE.test(name))
      .sort()
      .map((name) => join(root, name))
      .filter((file) => statSync(file).isFile());
  } catch (err) {
    throw new UserCodeError(variable, [{ file: root, problem: `cannot be read: ${message(err)}` }]);
  }
  resolveSdkToFlintsOwn();
  const found: UserDefinition<Made<K>>[] = [];
  const owners = new Map(taken);
  for (const file of files) {
    let exports: Record<string, unknown>;
    try {
      exports = loadModule(file);
    } catch (err) {
      problems.push({ file, problem: `cannot be loaded: ${message(err)}` });
      continue;
    }
    const seen = new Set<unknown>();
    for (const [exportName, value] of Object.entries(exports)) {
      if (!KINDS[kind].is(value) || seen.has(value)) continue;
      seen.add(value);
      const name = (value as { name: string }).name;
      const owner = owners.get(name);
      if (owner !== undefined) {
        problems.push({
          file,
          problem: `a ${kind} named "${name}" is already defined by ${owner}`,
        });
        continue;
      }
      owners.set(name, file);
      found.push({ value: value as Made<K>, file, exportName });
    }
    if (seen.size === 0) {
      problems.push({
        file,
        problem: `exports no ${kind}: export what ${KINDS[kind].made}() from @flint/sdk returns`,
      });
    }
  }
  if (problems.length > 0) throw new UserCodeError(variable, problems);
  return found;
}

/** Loads one module; its exports with a CommonJS module's `default` (TypeScript's output) unwrapped. */
export function loadModule(file: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded: unknown = require(file);
  // `module.exports = defineWorkflow(...)`: the module is the definition.
  if (
    typeof loaded !== 'object' ||
    loaded === null ||
    isWorkflow(loaded) ||
    isPollFunction(loaded)
  ) {
    return { default: loaded };
  }
  return { ...(loaded as Record<string, unknown>) };
}

/** What went wrong, also for errors of another realm (a module's own `Error`), which fail instanceof. */
function message(err: unknown): string {
  const text = (err as { message?: unknown } | null)?.message;
  return typeof text === 'string' ? text : String(err);
}
