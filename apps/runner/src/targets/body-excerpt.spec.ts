import { readBodyExcerpt } from './body-excerpt';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

describe('readBodyExcerpt', () => {
  it('reads a short body whole', async () => {
    expect(await readBodyExcerpt(streamOf('{"ok":', 'true}'))).toEqual({
      text: '{"ok":true}',
      truncated: false,
    });
    expect(await readBodyExcerpt(null)).toEqual({ text: '', truncated: false });
  });

  it('stops at the limit and says the body went on', async () => {
    const excerpt = await readBodyExcerpt(streamOf('a'.repeat(10), 'b'.repeat(10)), 15);
    expect(excerpt).toEqual({ text: `${'a'.repeat(10)}${'b'.repeat(5)}`, truncated: true });
  });

  it('keeps what arrived when the body breaks off', async () => {
    let pulls = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        if (pulls === 1) controller.enqueue(new TextEncoder().encode('partial'));
        else controller.error(new Error('socket hang up'));
      },
    });
    expect(await readBodyExcerpt(broken)).toEqual({ text: 'partial', truncated: true });
  });
});
