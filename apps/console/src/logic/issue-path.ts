/** A path as the API writes it: `sources[0].config`, `input["odd key"]`. */
export function issuePath(...segments: Array<string | number>): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

export interface PathIssue {
  path: string;
  message: string;
  position?: { line: number; column: number; offset: number };
}

/** The issues at exactly `path`. */
export function issuesAt<T extends PathIssue>(issues: readonly T[], path: string): T[] {
  return issues.filter((issue) => issue.path === path);
}

/** The issues at `path` or inside it. */
export function issuesUnder<T extends PathIssue>(issues: readonly T[], path: string): T[] {
  return issues.filter(
    (issue) =>
      issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`),
  );
}
