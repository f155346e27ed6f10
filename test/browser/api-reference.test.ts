import type { RunningService } from '@flint/service-kit';
import type { Browser } from 'playwright-core';
import { startApi, testTopics } from '../integration/api/api-harness';
import { collectErrors, launchChromium } from '../support/browser';

/** /api/docs as a person opens it: Swagger UI renders every tag and operation from local assets. */
describe('the interactive API reference in a real browser', () => {
  let api: RunningService;
  let browser: Browser;

  beforeAll(async () => {
    api = await startApi(testTopics('api-reference'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('renders every operation of the document, with example values, loading nothing from elsewhere', async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(api.url)) foreign.push(request.url());
    });
    await page.goto(`${api.url}/api/docs`);
    const openapi = (await (await fetch(`${api.url}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(openapi.paths).reduce(
      (sum, byMethod) => sum + Object.keys(byMethod).length,
      0,
    );
    await page.waitForFunction(
      (count) => document.querySelectorAll('.opblock').length === count,
      operations,
      { timeout: 60_000 },
    );
    await page
      .locator('.opblock-summary-path', { hasText: /^\/api\/definitions$/ })
      .first()
      .click();
    await page
      .locator('.opblock.is-open .body-param__example, .opblock.is-open .highlight-code')
      .first()
      .waitFor();
    expect(await page.locator('.opblock.is-open').textContent()).toContain('definitions');
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });
});
