import { defineWorkflow } from '@flint/sdk';

interface ProbeInput {
  urls: string[];
}

/**
 * Probes each URL and emits one `probe.result` event per URL with its status code while it runs
 * (secator's pattern: a task whose output items other tasks react to). An unreachable URL has
 * `status_code: 0` and the reason in `error`.
 */
export default defineWorkflow({
  name: 'probe',
  description: 'Requests each of input.urls and emits probe.result { url, status_code } per URL.',
  async run(input: ProbeInput, ctx) {
    const urls = Array.isArray(input?.urls) ? input.urls : [];
    for (const url of urls) {
      let result: { url: string; status_code: number; error?: string };
      try {
        const response = await fetch(url, {
          redirect: 'manual',
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]),
        });
        await response.body?.cancel();
        result = { url, status_code: response.status };
      } catch (err) {
        result = { url, status_code: 0, error: err instanceof Error ? err.message : String(err) };
      }
      ctx.log(`${url}: ${result.status_code}`);
      await ctx.emit('probe.result', result);
    }
    return { probed: urls.length };
  },
});
