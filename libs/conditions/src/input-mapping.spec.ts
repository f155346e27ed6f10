import { CelEngine } from './cel-engine';
import { CelCompileError } from './errors';
import { EventContext } from './event-context';
import { compileInputMapping, InputMappingError } from './input-mapping';
import { sampleEvent } from './test-events';

describe('input mapping', () => {
  let engine: CelEngine;
  const first = new EventContext(sampleEvent({ id: 'e1', data: { url: 'https://a', n: 1 } }));
  const second = new EventContext(sampleEvent({ id: 'e2', data: { url: 'https://b', n: 2 } }));
  const trigger = { id: 'crawl', owner: 'web', version: 3n };
  const noFallback = () => {
    throw new Error('the fallback must not be used');
  };

  beforeAll(async () => {
    engine = await CelEngine.create();
  });

  it('maps fields from the event and takes static values as they are', () => {
    const mapper = compileInputMapping(
      engine,
      {
        url: 'event.data.url',
        next: 'event.data.n + 1',
        branch: "'main'",
        retries: 3,
        dryRun: false,
        note: null,
        who: 'trigger.id',
        meta: "{'id': event.id, 'tags': [1, 'x']}",
      },
      'event',
    );
    expect(mapper.map({ event: first.cel, trigger }, noFallback)).toEqual({
      url: 'https://a',
      next: 2,
      branch: 'main',
      retries: 3,
      dryRun: false,
      note: null,
      who: 'crawl',
      meta: { id: 'e1', tags: [1, 'x'] },
    });
  });

  it('maps the whole input with one expression', () => {
    const mapper = compileInputMapping(engine, 'event.data', 'event');
    expect(mapper.map({ event: first.cel, trigger }, noFallback)).toEqual({
      url: 'https://a',
      n: 1,
    });
  });

  it('maps over a batch', () => {
    const mapper = compileInputMapping(
      engine,
      { urls: 'batch.map(e, e.data.url)', count: 'size(batch)', firstId: 'event.id' },
      'batch',
    );
    expect(
      mapper.map({ batch: [first.cel, second.cel], event: first.cel, trigger }, noFallback),
    ).toEqual({ urls: ['https://a', 'https://b'], count: 2, firstId: 'e1' });
  });

  it("maps a compound match's events by source or type", () => {
    const mapper = compileInputMapping(
      engine,
      { order: "events['orders'].data.n", paid: "events['com.example.paid'].data.url" },
      'compound',
    );
    const events = { orders: first.cel, 'com.example.paid': second.cel };
    expect(mapper.map({ events, event: second.cel, trigger }, noFallback)).toEqual({
      order: 1,
      paid: 'https://b',
    });
  });

  it('uses the fallback when nothing is mapped', () => {
    const mapper = compileInputMapping(engine, undefined, 'event');
    expect(mapper.map({}, () => ({ whole: 'event' }))).toEqual({ whole: 'event' });
  });

  it('refuses variables that the scope does not have when it compiles', () => {
    expect(() => compileInputMapping(engine, { urls: 'batch.map(e, e.id)' }, 'event')).toThrow(
      CelCompileError,
    );
    expect(() => compileInputMapping(engine, 'events.size()', 'batch')).toThrow(
      'Unknown variable: events',
    );
  });

  it('reports the failing field when an event lacks what the mapping needs', () => {
    const mapper = compileInputMapping(engine, { ok: 'event.id', url: 'event.data.nope' }, 'event');
    expect(() => mapper.map({ event: first.cel, trigger }, noFallback)).toThrow(
      new InputMappingError('event.data.nope', 'url', 'No such key: nope'),
    );
    expect(() => mapper.map({ event: first.cel, trigger }, noFallback)).toThrow(
      'input.url: No such key: nope',
    );
  });

  it('refuses an input that is not JSON', () => {
    const bytes = compileInputMapping(engine, { raw: "b'abc'" }, 'event');
    expect(() => bytes.map({ event: first.cel }, noFallback)).toThrow(
      'input.raw: the result is a CEL bytes value, not JSON; convert it to a string',
    );
    const whole = compileInputMapping(engine, "duration('1h')", 'event');
    expect(() => whole.map({ event: first.cel }, noFallback)).toThrow(InputMappingError);
    expect(() => whole.map({ event: first.cel }, noFallback)).toThrow(/^input: /);
  });
});
