import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  type Definition,
  DefinitionSchema,
  definitionKey,
  formatZodIssues,
} from '@flint/contracts';
import { parseAllDocuments } from 'yaml';

export interface LoadedDefinition {
  file: string;
  /** Position of the document inside a multi-document YAML file, from 0. */
  document: number;
  definition: Definition;
}

export interface FileProblem {
  file: string;
  document?: number;
  path: string;
  message: string;
}

export interface LoadResult {
  definitions: LoadedDefinition[];
  problems: FileProblem[];
}

const DEFINITION_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Reads every definition file under the given files and folders and validates each document. */
export async function loadDefinitionFiles(paths: string[]): Promise<LoadResult> {
  const files: string[] = [];
  const problems: FileProblem[] = [];
  for (const path of paths) {
    try {
      files.push(...(await expand(path)));
    } catch (err) {
      problems.push({ file: path, path: '', message: describeFsError(err) });
    }
  }
  if (files.length === 0 && problems.length === 0) {
    problems.push({
      file: paths.join(', '),
      path: '',
      message: 'no .yaml, .yml or .json files found',
    });
  }
  const definitions: LoadedDefinition[] = [];
  for (const file of files.sort()) {
    const loaded = await loadFile(file);
    definitions.push(...loaded.definitions);
    problems.push(...loaded.problems);
  }
  problems.push(...duplicateProblems(definitions));
  return { definitions, problems };
}

async function expand(path: string): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const found: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) found.push(...(await expand(child)));
    else if (DEFINITION_EXTENSIONS.has(extname(entry.name).toLowerCase())) found.push(child);
  }
  return found;
}

async function loadFile(file: string): Promise<LoadResult> {
  const text = await readFile(file, 'utf8');
  const result: LoadResult = { definitions: [], problems: [] };
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((doc, document) => {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        result.problems.push({ file, document, path: '', message: error.message.split('\n')[0] });
      }
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const parsed = DefinitionSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of formatZodIssues(parsed.error)) {
        result.problems.push({ file, document, ...issue });
      }
      return;
    }
    result.definitions.push({ file, document, definition: parsed.data });
  });
  return result;
}

function duplicateProblems(definitions: LoadedDefinition[]): FileProblem[] {
  const first = new Map<string, LoadedDefinition>();
  const problems: FileProblem[] = [];
  for (const loaded of definitions) {
    const key = definitionKey(loaded.definition);
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, loaded);
      continue;
    }
    problems.push({
      file: loaded.file,
      document: loaded.document,
      path: 'id',
      message: `${key} is already defined in ${earlier.file} (document ${earlier.document + 1})`,
    });
  }
  return problems;
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

export function formatProblem(problem: FileProblem): string {
  const where =
    problem.document !== undefined
      ? `${problem.file} (document ${problem.document + 1})`
      : problem.file;
  return problem.path
    ? `${where}: ${problem.path}: ${problem.message}`
    : `${where}: ${problem.message}`;
}
