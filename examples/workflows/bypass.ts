import { defineWorkflow } from '@flint/sdk';

/**
 * Receives a batch of URLs that answered 403 and tries its bypasses on them; here it only says
 * which URLs it got, which is what the end-to-end test of the probe example checks.
 */
export default defineWorkflow({
  name: 'bypass',
  description: 'Takes input.urls (a batch of forbidden URLs) and returns them with their count.',
  run(input: { urls: string[] }, ctx) {
    for (const url of input.urls) ctx.log(`trying bypasses on ${url}`);
    return { urls: input.urls, count: input.urls.length };
  },
});
