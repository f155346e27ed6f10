import { SseReader } from './sse-reader';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('SseReader', () => {
  it('assembles events from chunks split anywhere, with their names, ids and multi-line data', () => {
    const reader = new SseReader();
    const stream =
      ': hello\nevent: order.created\nid: 7\ndata: {"a":\ndata: 1}\n\ndata: plain\r\n\r\n';
    const events = [];
    for (let i = 0; i < stream.length; i += 3)
      events.push(...reader.push(bytes(stream.slice(i, i + 3))));
    expect(events).toEqual([
      { event: 'order.created', id: '7', data: '{"a":\n1}' },
      { event: 'message', data: 'plain' },
    ]);
  });

  it('drops an event with no data, ignores an id with NUL, and keeps a \\r\\n split between chunks whole', () => {
    const reader = new SseReader();
    expect(reader.push(bytes('event: ping\n\nid: a\u0000b\ndata: x\r'))).toEqual([]);
    expect(reader.push(bytes('\n\r\n'))).toEqual([{ event: 'message', data: 'x' }]);
  });
});
