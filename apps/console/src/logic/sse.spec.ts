import { EventStreamParser, type ServerSentEvent } from './sse';

describe('EventStreamParser', () => {
  it('dispatches events split across chunks, skipping comments', () => {
    const events: ServerSentEvent[] = [];
    const parser = new EventStreamParser((e) => events.push(e));
    parser.push('retry: 3000\n: hello\n\nevent: run\nda');
    parser.push('ta: {"a":1}\r');
    parser.push('\n\r\ndata: two\ndata: lines\nid: 7\n\n');
    expect(events).toEqual([
      { event: 'run', data: '{"a":1}' },
      { event: 'message', data: 'two\nlines', id: '7' },
    ]);
  });

  it('waits for the blank line before dispatching', () => {
    const events: ServerSentEvent[] = [];
    const parser = new EventStreamParser((e) => events.push(e));
    parser.push('event: overflow\ndata: {}\n');
    expect(events).toEqual([]);
    parser.push('\n');
    expect(events).toEqual([{ event: 'overflow', data: '{}' }]);
  });
});
