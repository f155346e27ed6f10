/** What the scanner learned about a SQL query, or the reason it cannot be polled. */
export interface SqlQueryScan {
  problem?: string;
  /** The first keyword, lower-cased, e.g. `select`. */
  firstKeyword?: string;
  /** Numbers of the `$n` parameters it uses, ascending. */
  parameters: number[];
  /** Where the statement ends: the index of its closing `;`, else the text's length. */
  statementEnd: number;
}

/** Statements a poll query may start with: the ones that only read. */
export const READ_ONLY_SQL_KEYWORDS = ['select', 'with', 'values', 'table'] as const;

const IDENTIFIER_START = /[A-Za-z_\u0080-\uffff]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

/**
 * Reads a PostgreSQL query the way the server tokenizes it (string literals, quoted names,
 * dollar-quoted bodies and comments skipped) to find its first keyword, its `$n` parameters, and a
 * `;` followed by a second statement. A pre-check with clear messages: the poller still runs the
 * query in a READ ONLY transaction, as one statement of the extended protocol.
 */
export function scanSqlQuery(text: string): SqlQueryScan {
  const parameters = new Set<number>();
  let firstKeyword: string | undefined;
  let statementEnd: number | undefined;
  const result = (problem?: string): SqlQueryScan => ({
    ...(problem ? { problem } : {}),
    ...(firstKeyword ? { firstKeyword } : {}),
    parameters: [...parameters].sort((a, b) => a - b),
    statementEnd: statementEnd ?? text.length,
  });

  let i = 0;
  while (i < text.length) {
    const char = text[i];
    const next = text[i + 1];
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
    } else if (char === '/' && next === '*') {
      const end = blockCommentEnd(text, i);
      if (end === undefined) return result('has a /* comment that is never closed');
      i = end;
    } else if (statementEnd !== undefined) {
      if (char !== ';') {
        return result('must be a single statement: nothing but comments may follow the ";"');
      }
      i += 1;
    } else if (char === ';') {
      statementEnd = i;
      i += 1;
    } else if (char === "'") {
      const end = quotedEnd(text, i, "'", escapesBackslash(text, i));
      if (end === undefined) return result('has a string literal that is never closed');
      i = end;
    } else if (char === '"') {
      const end = quotedEnd(text, i, '"', false);
      if (end === undefined) return result('has a quoted name that is never closed');
      i = end;
    } else if (char === '$' && next !== undefined && /[0-9]/.test(next)) {
      let end = i + 1;
      while (end < text.length && /[0-9]/.test(text[end])) end += 1;
      parameters.add(Number(text.slice(i + 1, end)));
      i = end;
    } else if (char === '$' && DOLLAR_TAG.test(text.slice(i, i + 256))) {
      const tag = DOLLAR_TAG.exec(text.slice(i, i + 256))![0];
      const close = text.indexOf(tag, i + tag.length);
      if (close === -1) return result(`has a ${tag}-quoted string that is never closed`);
      i = close + tag.length;
    } else if (IDENTIFIER_START.test(char)) {
      let end = i + 1;
      while (end < text.length && IDENTIFIER_PART.test(text[end])) end += 1;
      firstKeyword ??= text.slice(i, end).toLowerCase();
      i = end;
    } else {
      i += 1;
    }
  }
  if (!firstKeyword) return result('must contain a query, like "SELECT * FROM orders"');
  return result();
}

/** The problem of a poll query, or undefined when it is a single read-only statement. */
export function readOnlyQueryProblem(scan: SqlQueryScan): string | undefined {
  if (scan.problem) return scan.problem;
  const keyword = scan.firstKeyword ?? '';
  if ((READ_ONLY_SQL_KEYWORDS as readonly string[]).includes(keyword)) return undefined;
  return `must be a read-only query starting with SELECT, WITH, VALUES or TABLE, not ${keyword.toUpperCase()}`;
}

/** Index after the `*\/` closing the (nestable) block comment opened at `start`. */
function blockCommentEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let i = start;
  while (i < text.length - 1) {
    const pair = text.slice(i, i + 2);
    if (pair === '/*') {
      depth += 1;
      i += 2;
    } else if (pair === '*/') {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return undefined;
}

/** Index after the quote closing the literal opened at `start`; a doubled quote is a quote. */
function quotedEnd(
  text: string,
  start: number,
  quote: string,
  backslash: boolean,
): number | undefined {
  let i = start + 1;
  while (i < text.length) {
    const char = text[i];
    if (backslash && char === '\\') {
      i += 2;
    } else if (char === quote) {
      if (text[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return undefined;
}

/** `E'…'` strings treat backslash as an escape; plain ones do not. */
function escapesBackslash(text: string, quoteAt: number): boolean {
  const prefix = text[quoteAt - 1];
  if (prefix !== 'e' && prefix !== 'E') return false;
  return quoteAt < 2 || !IDENTIFIER_PART.test(text[quoteAt - 2]);
}
