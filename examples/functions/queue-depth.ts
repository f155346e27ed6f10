import { definePollFunction } from '@flint/sdk';

interface QueueDepthConfig {
  /** Answers JSON with a numeric `depth`, like a queue's stats endpoint. */
  url: string;
  queue: string;
  threshold: number;
  /** A secret holding a bearer token for `url`, by name. */
  tokenSecret?: string;
}

/**
 * A queue-depth threshold: fires `{ queue, threshold }` while the queue is deeper than the
 * threshold. The context stays the same while the queue stays deep, so with allowConcurrent false
 * (the default) it starts one run (say, "scale the workers up") and fires again only after that run
 * finished and the queue is still too deep.
 */
export default definePollFunction({
  name: 'queue-depth',
  interval: '15s',
  timeout: '5s',
  async run(ctx) {
    const { url, queue, threshold, tokenSecret } = ctx.config as QueueDepthConfig;
    const headers: Record<string, string> = {};
    if (tokenSecret) headers.authorization = `Bearer ${await ctx.secret(tokenSecret)}`;
    const response = await fetch(url, { headers, signal: ctx.signal });
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    const { depth } = (await response.json()) as { depth: unknown };
    if (typeof depth !== 'number') throw new Error(`${url} gave no numeric depth`);
    ctx.state.set('lastDepth', depth);
    return depth > threshold ? { fire: true, context: { queue, threshold } } : { fire: false };
  },
});
