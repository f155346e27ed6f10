import { issuePath, issuesAt, issuesUnder } from './issue-path';

describe('issue paths', () => {
  it('are written as the API writes them', () => {
    expect(issuePath('sources', 0, 'config')).toBe('sources[0].config');
    expect(issuePath('input', 'odd key')).toBe('input["odd key"]');
    expect(issuePath('target', 'headers', 'X-Source')).toBe('target.headers.X-Source');
  });

  it('select the issues at or under a place', () => {
    const issues = [
      { path: 'sources', message: 'a' },
      { path: 'sources[0].config', message: 'b' },
      { path: 'sourcesX', message: 'c' },
    ];
    expect(issuesAt(issues, 'sources').map((i) => i.message)).toEqual(['a']);
    expect(issuesUnder(issues, 'sources').map((i) => i.message)).toEqual(['a', 'b']);
  });
});
