import { PathFilter } from './path-filter';

describe('PathFilter', () => {
  it('includes files matching the pattern, at any depth with **', () => {
    const filter = new PathFilter('**/*.csv');
    expect(filter.includesFile('a.csv')).toBe(true);
    expect(filter.includesFile('in/2024/a.csv')).toBe(true);
    expect(filter.includesFile('a.json')).toBe(false);
    expect(filter.includesFile('.hidden.csv')).toBe(true);
  });

  it('leaves out excluded files and whole excluded directories', () => {
    const filter = new PathFilter('**/*', ['tmp/**', '**/*.part']);
    expect(filter.includesFile('tmp/a.csv')).toBe(false);
    expect(filter.includesFile('in/a.csv.part')).toBe(false);
    expect(filter.includesFile('in/a.csv')).toBe(true);
    expect(filter.entersDirectory('tmp')).toBe(false);
    expect(filter.entersDirectory('in')).toBe(true);
    expect(filter.entersDirectory('')).toBe(true);
  });

  it('only counts the top level when not recursive', () => {
    const filter = new PathFilter('**/*', [], false);
    expect(filter.includesFile('a.csv')).toBe(true);
    expect(filter.includesFile('in/a.csv')).toBe(false);
    expect(filter.entersDirectory('in')).toBe(false);
  });

  it('takes a list of globs for the pattern, any of which may match, and a single exclude glob', () => {
    const filter = new PathFilter(['**/*.csv', 'reports/*.pdf'], 'archive/**');
    expect(filter.includesFile('in/a.csv')).toBe(true);
    expect(filter.includesFile('reports/q1.pdf')).toBe(true);
    expect(filter.includesFile('in/q1.pdf')).toBe(false);
    expect(filter.includesFile('archive/old.csv')).toBe(false);
    expect(filter.entersDirectory('archive')).toBe(false);
  });
});
