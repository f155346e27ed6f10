import { eventView } from './event-context';
import { compileMatch, lookup } from './match';
import { sampleEvent } from './test-events';

const view = eventView(sampleEvent());
const matches = (match: Parameters<typeof compileMatch>[0]) => compileMatch(match)(view);

describe('the match shorthand', () => {
  it('tests equality against attributes, data and extensions', () => {
    expect(matches({ type: 'com.github.push', 'data.role': 'admin' })).toBe(true);
    expect(matches({ 'extensions.flintprovider': 'webhook', flintsourceid: 'github' })).toBe(true);
    expect(matches({ 'data.role': 'user' })).toBe(false);
    expect(matches({ 'data.amount': 1500 })).toBe(true);
    expect(matches({ 'data.amount': '1500' })).toBe(false);
  });

  it('needs every entry to hold', () => {
    expect(matches({ 'data.role': 'admin', 'data.amount': 1 })).toBe(false);
  });

  it('matches any of a list', () => {
    expect(matches({ 'data.role': ['user', 'admin'] })).toBe(true);
    expect(matches({ 'data.role': ['user', 'guest'] })).toBe(false);
  });

  it('compares numbers with numbers and strings with strings', () => {
    expect(matches({ 'data.amount': { gt: 1000 } })).toBe(true);
    expect(matches({ 'data.amount': { gt: 1500 } })).toBe(false);
    expect(matches({ 'data.amount': { gte: 1500, lte: 1500 } })).toBe(true);
    expect(matches({ 'data.amount': { gte: 1000, lt: 1500 } })).toBe(false);
    expect(matches({ 'data.price': { gt: 9, lt: 10 } })).toBe(true);
    expect(matches({ time: { gte: '2026-01-01', lt: '2026-02-01' } })).toBe(true);
    expect(matches({ 'data.amount': { gt: '1000' } })).toBe(false);
    expect(matches({ 'data.role': { gt: 1 } })).toBe(false);
  });

  it('tests string prefixes', () => {
    expect(matches({ 'data.ref': { prefix: 'refs/heads/' } })).toBe(true);
    expect(matches({ 'data.ref': { prefix: 'refs/tags/' } })).toBe(false);
    expect(matches({ 'data.amount': { prefix: '15' } })).toBe(false);
  });

  it('treats missing and null alike', () => {
    expect(matches({ 'data.role': { exists: true } })).toBe(true);
    expect(matches({ 'data.missing': { exists: false } })).toBe(true);
    expect(matches({ 'data.deleted': { exists: false } })).toBe(true);
    expect(matches({ 'data.deleted': null, 'data.missing': null })).toBe(true);
    expect(matches({ 'data.role': null })).toBe(false);
    expect(matches({ 'data.missing.deeper': 'x' })).toBe(false);
    expect(matches({ 'data.missing': { gt: 1 } })).toBe(false);
  });

  it('walks into arrays by index', () => {
    expect(matches({ 'data.commits.1.id': 'c2', 'data.tags.0': 'a' })).toBe(true);
    expect(lookup(view, ['data', 'commits', 'first'])).toBeUndefined();
    expect(lookup(view, ['data', 'tags', '5'])).toBeUndefined();
    expect(lookup(view, ['data', 'role', 'length'])).toBeUndefined();
    expect(lookup(view, ['data', 'constructor'])).toBeUndefined();
  });
});
