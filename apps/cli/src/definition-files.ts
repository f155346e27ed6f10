import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { type Definition, type DefinitionReferences, checkDefinitions } from '@flint/contracts';
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

/** One YAML or JSON document of a definition file, not checked yet. */
interface RawDocument {
  file: string;
  document: number;
  raw: unknown;
}

const DEFINITION_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads every definition file under the given files and folders and checks the documents together,
 * with the API's own checks (`checkDefinitions`): schema, ids, CEL expressions and references.
 * Every problem names its file and document.
 */
export async function loadDefinitionFiles(
  paths: string[],
  references: DefinitionReferences,
): Promise<LoadResult> {
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
  const documents: RawDocument[] = [];
  for (const file of files.sort()) {
    const read = await readFile(file, 'utf8');
    for (const result of parseDocuments(file, read)) {
      if ('raw' in result) documents.push(result);
      else problems.push(result);
    }
  }
  const { valid, problems: found } = await checkDefinitions(
    documents.map((d) => d.raw),
    references,
  );
  for (const { index, duplicateOf, position: _position, ...issue } of found) {
    const at = documents[index] as RawDocument;
    const first = duplicateOf === undefined ? undefined : documents[duplicateOf];
    problems.push({
      file: at.file,
      document: at.document,
      ...issue,
      ...(first ? { message: `${issue.message}: first in ${where(first)}` } : {}),
    });
  }
  const definitions = valid.map(({ index, definition }) => {
    const at = documents[index] as RawDocument;
    return { file: at.file, document: at.document, definition };
  });
  return { definitions, problems };
}

/**
 * The API names a batch's problems by position (`definitions[1].condition`); the user knows files,
 * so each is renamed to the file and document of the definition sent at that position.
 */
export function issuesByDocument<Issue extends { path: string }>(
  issues: Issue[],
  definitions: LoadedDefinition[],
): Issue[] {
  return issues.map((issue) => {
    const match = /^definitions\[(\d+)\]\.?(.*)$/.exec(issue.path);
    const loaded = match ? definitions[Number(match[1])] : undefined;
    if (!match || !loaded) return issue;
    return { ...issue, path: [where(loaded), match[2]].filter(Boolean).join(': ') };
  });
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

function parseDocuments(file: string, text: string): Array<RawDocument | FileProblem> {
  const found: Array<RawDocument | FileProblem> = [];
  parseAllDocuments(text).forEach((doc, document) => {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        found.push({ file, document, path: '', message: error.message.split('\n')[0] as string });
      }
      return;
    }
    const raw: unknown = doc.toJS();
    if (raw !== null && raw !== undefined) found.push({ file, document, raw });
  });
  return found;
}

function where(at: { file: string; document: number }): string {
  return `${at.file} (document ${at.document + 1})`;
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

export function formatProblem(problem: FileProblem): string {
  const at =
    problem.document !== undefined
      ? where({ file: problem.file, document: problem.document })
      : problem.file;
  return problem.path ? `${at}: ${problem.path}: ${problem.message}` : `${at}: ${problem.message}`;
}
