/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { consoleLoginLink, type LocalStack } from '../../apps/local-stack/src/local-stack';
import type { FlintApiClient } from '../../apps/cli/src/api-client';
import { collectErrors, screenshot, signedInContext } from '../support/browser';
import {
  checkScreens,
  type CheckedScreen,
  type ConsoleStack,
  sendOrder as postOrder,
  shopHookSource,
  startConsoleStack,
} from '../support/console-stack';
import { waitFor } from '../support/kafka';
import { closedPort } from '../integration/api/api-harness';

const ADMIN_KEY = 'console-browser-admin-key';
const OWNER = 'shop';
const SOURCE = 'shop-hook';
const TRIGGER = 'big-orders';
const CONDITION_BROKEN = 'event.data.total >';
const CONDITION = 'event.data.total > 100';

/**
 * The web console in a real browser (Debian's Chromium) against the whole stack: a real broker,
 * PostgreSQL, every service. Walks what a person does: sign in with the link `npm start` prints,
 * build a trigger in the form (a condition with an error, then fixed), test it on a recent event,
 * save it, watch a webhook's run appear live and succeed, open it and its causing event, see what a
 * viewer sees, and meet an edit conflict. Screenshots of the main screens go to test-output/console.
 */
describe('the web console in a browser', () => {
  let consoleStack: ConsoleStack;
  let stack: LocalStack;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let errors: string[];
  let api: FlintApiClient;
  let apiUrl: string;
  let runId: string;

  beforeAll(async () => {
    consoleStack = await startConsoleStack('console', ADMIN_KEY, {
      FLINT_TRACE_URL_TEMPLATE: 'http://jaeger.example.com/trace/{traceId}',
    });
    ({ stack, browser, api, apiUrl } = consoleStack);
    await api.request('PUT', '/api/definitions', {
      definitions: [
        shopHookSource(SOURCE, OWNER),
        {
          kind: 'source',
          id: 'orders',
          owner: OWNER,
          description: 'Order events from the shop backend.',
          provider: 'event',
          config: { types: ['com.example.order.created'] },
        },
        {
          kind: 'trigger',
          id: 'log-orders',
          owner: OWNER,
          description: 'Echo every order event.',
          sources: ['orders'],
          target: { type: 'local', workflow: 'echo' },
        },
        // The rest makes the screenshots look like a day at work: a schedule, a folder that is
        // not there (a failing source), and a target nobody answers (failed runs).
        {
          kind: 'source',
          id: 'nightly',
          owner: 'platform',
          description: 'Every night at 02:00, Berlin time.',
          provider: 'cron',
          config: { schedule: '0 2 * * *', timezone: 'Europe/Berlin' },
        },
        {
          kind: 'source',
          id: 'invoice-drop',
          owner: 'finance',
          description: 'Invoices dropped by the ERP export.',
          provider: 'file',
          config: { directory: '/nonexistent/flint-invoices', pattern: '**/*.pdf' },
        },
        {
          kind: 'source',
          id: 'stock-feed',
          owner: OWNER,
          description: 'Stock levels, polled from a warehouse API that is not there.',
          provider: 'poller',
          config: {
            url: `http://127.0.0.1:${await closedPort()}/stock`,
            intervalSeconds: 1,
            itemsPath: '$.items',
            itemKey: 'item.sku',
          },
        },
        {
          kind: 'trigger',
          id: 'notify-ci',
          owner: OWNER,
          description: 'Tell the CI system about every order.',
          sources: [SOURCE],
          target: { type: 'http', url: `http://127.0.0.1:${await closedPort()}/hook` },
          retry: { maxAttempts: 1 },
        },
      ],
    });
    for (let i = 1; i <= 4; i++) {
      await api.request('POST', '/api/events', {
        type: 'com.example.order.created',
        owner: OWNER,
        id: `shop-order-${i}`,
        data: { orderId: i, total: 40 * i },
      });
    }
  });

  afterAll(async () => {
    await consoleStack?.stop();
  });

  /** Posts an order to the shop's webhook; its delivery id becomes the event id. */
  const sendOrder = (delivery: string, total: number) =>
    postOrder(consoleStack, SOURCE, delivery, total);

  /** Waits until the evaluator has recorded the event among the source's recent events. */
  async function recorded(delivery: string): Promise<void> {
    await waitFor(
      async () => {
        const events = (await api.request('GET', `/api/sources/${SOURCE}/events`)) as {
          items: Array<{ id: string }>;
        };
        return events.items.some((event) => event.id === delivery);
      },
      { timeoutMs: 60_000, description: `event ${delivery} among the recent events` },
    );
  }

  it('signs in with the one-time link npm start prints, which then works no more', async () => {
    admin = await browser.newContext({
      baseURL: apiUrl,
      viewport: { width: 1280, height: 800 },
      reducedMotion: 'reduce',
    });
    page = await admin.newPage();
    errors = collectErrors(page);
    const link = consoleLoginLink(stack);
    expect(link).toMatch(/\/#login=[A-Za-z0-9_-]{43}$/);
    expect(link).not.toContain(ADMIN_KEY);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('flint.apiKey'))).toBe(ADMIN_KEY);
    await page.getByText('Admin', { exact: false }).first().waitFor();

    const again = await admin.newPage();
    await again.addInitScript(() => sessionStorage.clear());
    await again.goto(link);
    await again.getByText('used already or has expired').waitFor();
    await again.close();
  });

  it('builds a trigger in the form: a CEL error is shown at its position, then fixed', async () => {
    await sendOrder('order-1', 250);
    await recorded('order-1');
    await page.goto('/builder');
    await page.getByLabel('Id', { exact: true }).fill(TRIGGER);
    await page.getByLabel('Owner', { exact: true }).fill(OWNER);
    await page.getByLabel('Description').fill('Orders over 100 € go to fulfilment.');
    await page.getByRole('button', { name: 'Add a source' }).click();
    await page.getByLabel('Source 1', { exact: true }).selectOption(SOURCE);

    const condition = page.getByTestId('editor-condition');
    await condition.click();
    await page.keyboard.type(CONDITION_BROKEN);
    const conditionError = page.getByTestId('error-condition');
    await conditionError.waitFor();
    expect(await conditionError.textContent()).toMatch(/at line 1, column 19/);
    await page.locator('[data-path="condition"] .cm-lintRange-error').first().waitFor();
    await page
      .getByTestId('validation-status')
      .getByText(/problem/)
      .waitFor();
    await screenshot(page, 'builder-cel-error');

    await page.keyboard.type(' 100');
    await conditionError.waitFor({ state: 'detached' });
    await page.getByTestId('validation-status').getByText('Valid').waitFor();

    await page.getByRole('radio', { name: 'Fields' }).click();
    const fieldName = page.locator('.input-row').first().getByLabel('Field');
    await fieldName.fill('order');
    const expression = page.locator('.input-row').first().getByTestId('editor-input.order');
    await expression.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('event.data.orderId');
  });

  it('test-fires the draft against a recent event of its source, live', async () => {
    // The draft is tested again on every change; the answer for the final draft maps the order.
    await page
      .locator('[data-testid="test-result"][data-matched="true"]')
      .filter({ hasText: '"order": "order-1"' })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /order-1/ }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'builder');

    await page.getByRole('tab', { name: 'YAML' }).click();
    const yaml = await page.getByTestId('yaml-editor').textContent();
    expect(yaml).toContain(`condition: ${CONDITION}`);
    expect(yaml).toContain('order: event.data.orderId');
    await screenshot(page, 'builder-yaml');
  });

  it('saves the trigger', async () => {
    await page.getByRole('button', { name: 'Create trigger' }).click();
    await page.waitForURL(`**/triggers/${TRIGGER}`);
    await page.getByRole('heading', { name: TRIGGER }).waitFor();
    const stored = (await api.request('GET', `/api/triggers/${TRIGGER}`)) as Record<
      string,
      unknown
    >;
    expect(stored).toMatchObject({
      owner: OWNER,
      sources: [SOURCE],
      condition: CONDITION,
      input: { order: 'event.data.orderId' },
    });
  });

  it('shows a webhook’s run appear live on the runs page and succeed', async () => {
    await page.goto('/runs');
    await page.getByText('Following new runs').waitFor();
    // Until the evaluator has the new trigger, an order would reach nothing: small orders (which
    // the condition drops, starting no run) until one is counted, then the one that fires.
    let n = 0;
    await waitFor(
      async () => {
        await sendOrder(`warm-up-${++n}`, 1);
        const stats = (await api.request('GET', `/api/triggers/${TRIGGER}/stats`)) as {
          totals: { dropped: number };
        };
        return stats.totals.dropped > 0;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'the evaluator to drop a small order' },
    );
    await sendOrder('order-2', 180);
    const row = page.locator('tr', { hasText: TRIGGER }).filter({
      has: page.locator('[data-status="SUCCEEDED"]'),
    });
    await row.waitFor({ timeout: 60_000 });
    await screenshot(page, 'runs');
    const link = row.locator('a.run-link');
    runId = (await link.getAttribute('title')) ?? '';
    expect(runId.startsWith(`${TRIGGER}.`)).toBe(true);
    await link.click();
  });

  it('opens the run with its timeline, input and causing event', async () => {
    await page.waitForURL(`**/runs/${encodeURIComponent(runId)}`);
    await page.getByTestId('event-id').getByText('order-2').waitFor();
    await page.getByText('Succeeded', { exact: true }).first().waitFor();
    await page.getByText('Requested by the evaluator').waitFor();
    expect(await page.getByLabel('run input', { exact: true }).textContent()).toContain(
      '"order": "order-2"',
    );
    const trace = page.getByRole('link', { name: 'Open trace' });
    expect(await trace.getAttribute('href')).toMatch(
      /^http:\/\/jaeger\.example\.com\/trace\/[0-9a-f]{32}$/,
    );
    await screenshot(page, 'run');
  });

  it('shows a viewer no control it cannot use', async () => {
    const key = (
      (await api.request('POST', '/api/keys', {
        name: 'shop viewer',
        role: 'viewer',
        owner: OWNER,
      })) as { key: string }
    ).key;
    const viewer = await signedInContext(browser, apiUrl, key);
    const viewerPage = await viewer.newPage();
    try {
      await viewerPage.goto('/triggers');
      await viewerPage.getByRole('link', { name: TRIGGER }).waitFor();
      expect(await viewerPage.getByRole('link', { name: 'New trigger' }).count()).toBe(0);
      expect(await viewerPage.getByRole('switch').count()).toBe(0);
      expect(await viewerPage.getByRole('link', { name: 'API keys' }).count()).toBe(0);

      await viewerPage.goto(`/triggers/${TRIGGER}`);
      await viewerPage.getByRole('heading', { name: TRIGGER }).waitFor();
      expect(await viewerPage.getByRole('link', { name: 'Edit' }).count()).toBe(0);
      expect(await viewerPage.getByRole('switch').count()).toBe(0);
      await viewerPage.getByRole('tab', { name: 'Test' }).click();
      await viewerPage.getByRole('button', { name: 'Test', exact: true }).waitFor();
      expect(await viewerPage.getByRole('button', { name: /start the run/ }).count()).toBe(0);
      await screenshot(viewerPage, 'viewer-trigger');

      await viewerPage.goto(`/sources/${SOURCE}`);
      await viewerPage.getByText('Recent events').waitFor();
      expect(await viewerPage.getByRole('switch', { name: /able source/ }).count()).toBe(0);

      await viewerPage.goto('/secrets');
      await viewerPage.getByRole('heading', { name: 'Secrets' }).waitFor();
      expect(await viewerPage.getByRole('button', { name: 'Set a secret' }).count()).toBe(0);

      await viewerPage.goto(`/builder/${TRIGGER}`);
      await viewerPage.getByText('This key may not change triggers').waitFor();
    } finally {
      await viewer.close();
    }
  });

  it('shows an edit conflict instead of overwriting someone else’s change', async () => {
    await page.goto(`/builder/${TRIGGER}`);
    await page.getByText('Editing version 1').waitFor();
    const stored = (await api.request('GET', `/api/triggers/${TRIGGER}`)) as Record<
      string,
      unknown
    >;
    const { version: _version, updatedAt: _updatedAt, ...body } = stored;
    await api.request('PUT', `/api/triggers/${TRIGGER}`, {
      ...body,
      description: 'Changed meanwhile by someone else.',
    });

    await page.getByLabel('Description').fill('My edit.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Someone else changed this trigger' });
    await dialog.waitFor();
    const diff = await dialog.getByTestId('conflict-diff').textContent();
    expect(diff).toContain('Changed meanwhile by someone else.');
    expect(diff).toContain('My edit.');
    await screenshot(page, 'edit-conflict');
    const unchanged = (await api.request('GET', `/api/triggers/${TRIGGER}`)) as {
      description: string;
    };
    expect(unchanged.description).toBe('Changed meanwhile by someone else.');

    await dialog.getByRole('button', { name: 'Discard mine, load theirs' }).click();
    expect(await page.getByLabel('Description').inputValue()).toBe(
      'Changed meanwhile by someone else.',
    );
    await page.getByText('Editing version 2').waitFor();
  });

  it('shows each source’s status in the list, every kind’s from the API', async () => {
    await page.goto('/sources');
    const poller = page.getByRole('row').filter({ hasText: 'stock-feed' });
    await waitFor(
      async () => {
        if ((await poller.getByText(/\d+ failures? in a row/).count()) > 0) return true;
        await page.getByRole('button', { name: 'Refresh' }).click();
        return false;
      },
      { timeoutMs: 60_000, intervalMs: 1000, description: 'the poller failing every poll' },
    );
    expect(await poller.locator('[data-state]').getAttribute('data-state')).toBe('failing');
    const webhook = page.getByRole('row').filter({ hasText: SOURCE });
    expect(await webhook.locator('[data-state]').getAttribute('data-state')).toBe('up');
  });

  it('loaded every screen without an error or a blocked resource', () => {
    // The browser logs the conflict's 409 answer; the console handled it (the test above).
    expect(errors.filter((error) => !/status of 409/.test(error))).toEqual([]);
  });

  describe('every main screen', () => {
    const screens = (): CheckedScreen[] => [
      { name: 'overview', path: '/', heading: 'Overview' },
      { name: 'sources', path: '/sources', heading: 'Sources' },
      { name: 'source', path: `/sources/${SOURCE}`, heading: SOURCE },
      {
        name: 'send-event-dialog',
        path: '/sources/orders',
        heading: 'orders',
        open: async (page) => {
          await page.getByRole('button', { name: 'Send an event' }).click();
          await page.getByRole('dialog', { name: 'Send an event' }).waitFor();
        },
      },
      { name: 'triggers', path: '/triggers', heading: 'Triggers' },
      { name: 'trigger', path: `/triggers/${TRIGGER}`, heading: TRIGGER },
      { name: 'trigger-versions', path: `/triggers/${TRIGGER}?tab=versions`, heading: TRIGGER },
      { name: 'runs', path: '/runs', heading: 'Runs' },
      { name: 'run', path: `/runs/${encodeURIComponent(runId)}`, heading: runId },
      { name: 'builder-edit', path: `/builder/${TRIGGER}`, heading: `Edit ${TRIGGER}` },
      { name: 'keys', path: '/keys', heading: 'API keys' },
      { name: 'secrets', path: '/secrets', heading: 'Secrets' },
    ];

    it('has no serious accessibility violation, at 1280×800 and on a narrow window', async () => {
      await checkScreens(consoleStack, ADMIN_KEY, screens(), (name, wide) =>
        wide
          ? name
          : ['overview', 'runs', 'builder-edit'].includes(name)
            ? `narrow-${name}`
            : undefined,
      );
    });

    it('is reached from the keyboard: a skip link first, then the navigation', async () => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
        'Skip to content',
      );
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Overview');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Sources' }).waitFor();
    });
  });
});
