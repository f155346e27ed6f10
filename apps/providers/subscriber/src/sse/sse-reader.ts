/** One event of a Server-Sent Events stream, as the WHATWG parsing rules assemble it. */
export interface ServerSentEvent {
  /** The `event:` field, `message` when absent. */
  event: string;
  data: string;
  /** The `id:` field of this event, if it had one. */
  id?: string;
}

/**
 * Parses a text/event-stream as it arrives in chunks (lines may split anywhere): fields `event`,
 * `data` (joined with newlines), `id` (ignored if it contains NUL), comments (`:`) skipped, an event
 * dispatched at each blank line, one with no data dropped, as the HTML standard says.
 */
export class SseReader {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  private sawFirstChunk = false;

  /** The events completed by this chunk. */
  push(chunk: Uint8Array): ServerSentEvent[] {
    let text = this.decoder.decode(chunk, { stream: true });
    if (!this.sawFirstChunk && text.length > 0) {
      this.sawFirstChunk = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    this.pending += text;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const end = this.pending.search(/\r\n|\r|\n/);
      // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
      if (end === -1 || (end === this.pending.length - 1 && this.pending.endsWith('\r'))) break;
      const line = this.pending.slice(0, end);
      const breakLength = this.pending.startsWith('\r\n', end) ? 2 : 1;
      this.pending = this.pending.slice(end + breakLength);
      const dispatched = this.line(line);
      if (dispatched) events.push(dispatched);
    }
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\u0000')) this.id = value;
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const { event, data, id } = this;
    this.event = '';
    this.data = [];
    this.id = undefined;
    if (data.length === 0) return undefined;
    return {
      event: event || 'message',
      data: data.join('\n'),
      ...(id === undefined ? {} : { id }),
    };
  }
}
