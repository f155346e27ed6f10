/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import type { ArchivedEventPage, DeadLetterPage, RunDetail } from '@flint/contracts';
import { collectErrors, screenshot, signedInContext } from '../support/browser';
import {
  checkScreens,
  type ConsoleStack,
  sendOrder as postOrder,
  shopHookSource,
  startConsoleStack,
} from '../support/console-stack';
import { waitFor } from '../support/kafka';
import { kafkaForTest } from '../support/kafka-client';
import { closedPort } from '../integration/api/api-harness';

const ADMIN_KEY = 'console-operations-admin-key';
const OWNER = 'shop';
const SOURCE = 'shop-hook';
/** Fires for orders over 100; runs the local echo workflow. */
const BIG = 'big-orders';
/** Fires for orders in USD only: its `match` differs for the others. */
const USD = 'usd-orders';
/** Fires for orders over 1000 and calls a target nobody answers, retrying ten minutes later. */
const AUDIT = 'audit-huge-orders';

/**
 * The console's operational screens in a real browser against the whole stack: the event archive
 * (filters, one event with each trigger's decision), and a run's re-run and cancel buttons. Shares
 * console.test.ts's set-up (test/support/console-stack.ts); its screenshots go to
 * test-output/console as well.
 */
describe('the web console’s events and run control in a browser', () => {
  let env: ConsoleStack;
  let admin: BrowserContext;
  let page: Page;
  let errors: string[];
  let keptDeadLetter: string | undefined;

  beforeAll(async () => {
    env = await startConsoleStack('console_ops', ADMIN_KEY);
    await env.api.request('PUT', '/api/definitions', {
      definitions: [
        shopHookSource(SOURCE, OWNER),
        {
          kind: 'trigger',
          id: BIG,
          owner: OWNER,
          description: 'Orders over 100 go to fulfilment.',
          sources: [SOURCE],
          condition: 'event.data.total > 100',
          target: { type: 'local', workflow: 'echo' },
          input: { order: 'event.data.orderId' },
        },
        {
          kind: 'trigger',
          id: USD,
          owner: OWNER,
          description: 'Orders paid in dollars.',
          sources: [SOURCE],
          match: { 'data.currency': 'USD' },
          target: { type: 'local', workflow: 'echo' },
        },
        {
          kind: 'trigger',
          id: AUDIT,
          owner: OWNER,
          description: 'Huge orders are audited.',
          sources: [SOURCE],
          condition: 'event.data.total > 1000',
          target: { type: 'http', url: `http://127.0.0.1:${await closedPort()}/audit` },
          retry: { maxAttempts: 5, backoff: { initialMs: 600_000, maxMs: 600_000 } },
        },
      ],
    });
    // Until the evaluator has the triggers, an order would reach none: small orders until one is
    // archived with decisions.
    let n = 0;
    await waitFor(
      async () => {
        const delivery = `warm-up-${++n}`;
        await sendOrder(delivery, 1);
        const page = await archived({ source: SOURCE });
        return page.items.some((event) => event.considered > 0);
      },
      { timeoutMs: 90_000, intervalMs: 1000, description: 'the evaluator to consider an order' },
    );
    await sendOrder('order-small', 40);
    await sendOrder('order-big', 250);
    await sendOrder('order-huge', 5000);
    await waitFor(
      async () => {
        const ids = (await archived({ source: SOURCE })).items.map((event) => event.id);
        return ['order-small', 'order-big', 'order-huge'].every((id) => ids.includes(id));
      },
      { timeoutMs: 60_000, description: 'the three orders in the archive' },
    );
    admin = await signedInContext(env.browser, env.apiUrl, ADMIN_KEY);
    page = await admin.newPage();
    errors = collectErrors(page);
  });

  afterAll(async () => {
    await env?.stop();
  });

  const sendOrder = (delivery: string, total: number) => postOrder(env, SOURCE, delivery, total);

  function archived(query: Record<string, string>): Promise<ArchivedEventPage> {
    return env.api.request(
      'GET',
      `/api/events?${new URLSearchParams(query).toString()}`,
    ) as Promise<ArchivedEventPage>;
  }

  function run(runId: string): Promise<RunDetail> {
    return env.api.request('GET', `/api/runs/${encodeURIComponent(runId)}`) as Promise<RunDetail>;
  }

  const row = (id: string) =>
    page.locator('tbody tr', { has: page.getByRole('link', { name: id }) });

  it('lists archived events with the triggers they fired, and filters them', async () => {
    await page.goto('/events');
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await row('order-huge').getByRole('link', { name: BIG }).waitFor();
    expect(await row('order-huge').getByRole('link', { name: AUDIT }).count()).toBe(1);
    expect(await row('order-small').textContent()).toContain('none of 3');
    await screenshot(page, 'events');

    // Live: an event archived after the page loaded appears on top, from the API's event stream.
    await page.getByText('Following new events').waitFor();
    await sendOrder('order-live', 75);
    await row('order-live').waitFor({ timeout: 60_000 });
    expect(await page.locator('tbody tr').first().textContent()).toContain('order-live');

    await page.getByRole('combobox', { name: /^Fired/ }).selectOption('false');
    await page.waitForURL(/fired=false/);
    await row('order-small').waitFor();
    await row('order-big').waitFor({ state: 'detached' });

    // A filter that does not compile says where; the list keeps what it showed.
    await page.getByRole('combobox', { name: /^Fired/ }).selectOption('');
    const cel = page.getByRole('searchbox', { name: 'CEL filter' });
    await cel.fill('event.data.total >');
    await cel.press('Enter');
    const problem = page.getByRole('alert').filter({ hasText: 'The filter is not valid' });
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/column/);

    await cel.fill('event.data.total > 1000');
    await page.getByRole('button', { name: 'Apply' }).click();
    await problem.waitFor({ state: 'detached' });
    await row('order-huge').waitFor();
    await row('order-big').waitFor({ state: 'detached' });
    expect(await page.getByTestId('scanned').textContent()).toMatch(/read \d+ events/);
    await page.getByRole('button', { name: 'Clear' }).click();
    await row('order-big').waitFor();

    // With a time range, what the filters select can be replayed: here the orders that fired none.
    const range = new URLSearchParams({
      since: new Date(Date.now() - 3_600_000).toISOString(),
      until: new Date(Date.now() + 3_600_000).toISOString(),
      source: SOURCE,
      filter: 'event.data.total < 50',
    });
    await page.goto(`/events?${range.toString()}`);
    await row('order-small').waitFor();
    await page.getByRole('button', { name: 'Replay these' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay the events of these filters' });
    await dialog.getByRole('button', { name: 'Replay' }).click();
    await dialog.getByText(/^Replayed \d+ events$/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).first().click();
  });

  it('shows one event with what each trigger did, and why the others did not fire', async () => {
    await row('order-small').getByRole('link', { name: 'order-small' }).click();
    await page.waitForURL('**/events/order-small');
    const decision = (trigger: string) => page.locator(`.decision[data-trigger="${trigger}"]`);
    await decision(BIG).waitFor();
    expect(await decision(BIG).getAttribute('data-outcome')).toBe('condition_false');
    expect(await decision(BIG).textContent()).toContain('40 > 100');
    expect(await page.getByRole('list', { name: `Values for ${BIG}` }).textContent()).toContain(
      'event.data.total = 40',
    );
    expect(await decision(USD).getAttribute('data-outcome')).toBe('match_differed');
    expect(await decision(USD).textContent()).toMatch(/data\.currency/);
    await screenshot(page, 'event-not-fired');
    await page.getByText('This event started no run.').waitFor();

    await page.goto('/events/order-huge');
    await decision(BIG).waitFor();
    expect(await decision(BIG).getAttribute('data-outcome')).toBe('matched');
    await page.getByRole('heading', { name: 'Event', exact: true }).waitFor();
    expect(await page.getByLabel('archived event', { exact: true }).textContent()).toContain(
      '"total": 5000',
    );
    await screenshot(page, 'event');

    // Replayed to every trigger: those it fired are not offered it again, the others are.
    await page.getByRole('button', { name: 'Replay' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay this event' });
    await dialog.getByRole('button', { name: 'Replay' }).click();
    const replay = dialog.getByRole('link');
    await replay.waitFor();
    await replay.click();
    await page.getByText('A replayed event').waitFor({ timeout: 60_000 });
    expect(await page.getByRole('link', { name: 'order-huge', exact: true }).count()).toBe(1);
    expect(
      await page.locator('.decision').evaluateAll((rows) => rows.map((row) => row.dataset.trigger)),
    ).toEqual([USD]);
    expect(await page.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    await page.goto('/events/order-huge');
    await decision(BIG).waitFor();
  });

  it('re-runs a run from its page; the new run links to its original', async () => {
    await page
      .locator(`.decision[data-trigger="${BIG}"]`)
      .getByRole('link', { name: new RegExp(`^${BIG}\\.`) })
      .click();
    await page.waitForURL(`**/runs/${BIG}.*`);
    const originalId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByText('Succeeded', { exact: true }).first().waitFor({ timeout: 60_000 });
    await page.getByText('Priority', { exact: true }).waitFor();
    // Its causing event leads back to the archive.
    expect(await page.getByTestId('event-id').getAttribute('href')).toBe('/events/order-huge');

    await page.getByRole('button', { name: 'Re-run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-run this run' });
    const input = dialog.getByLabel('Input');
    expect(JSON.parse(await input.inputValue())).toEqual({ order: 'order-huge' });
    await input.fill('{"order": "order-huge", "again": true}');
    await dialog.getByRole('button', { name: 'Start the re-run' }).click();

    await page.waitForURL(`**/runs/${BIG}.rerun-*`);
    await page.getByText('Succeeded', { exact: true }).first().waitFor({ timeout: 60_000 });
    const original = page.getByRole('link', { name: originalId });
    await original.waitFor();
    const rerunId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect((await run(rerunId)).input).toEqual({ order: 'order-huge', again: true });
    await screenshot(page, 'run-rerun');

    await original.click();
    await page.getByRole('link', { name: rerunId }).waitFor();
  });

  it('cancels a run waiting for its next attempt: it shows CANCELLED', async () => {
    const event = (await env.api.request('GET', '/api/events/order-huge')) as {
      decisions: Array<{ triggerId: string; runId?: string }>;
    };
    const auditRun = event.decisions.find((d) => d.triggerId === AUDIT)?.runId;
    expect(auditRun).toBeDefined();
    await waitFor(async () => (await run(auditRun!).catch(() => undefined))?.nextAttemptAt, {
      timeoutMs: 60_000,
      description: 'the audit run to wait for its second attempt',
    });
    await page.goto(`/runs/${encodeURIComponent(auditRun!)}`);
    await page.getByText('Next attempt').first().waitFor();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
    await dialog.getByRole('button', { name: 'Cancel the run' }).click();
    await page.locator('.page-header [data-status="CANCELLED"]').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    expect((await run(auditRun!)).status).toBe('CANCELLED');
    await screenshot(page, 'run-cancelled');
  });

  it('shows a viewer neither re-run nor cancel', async () => {
    const key = (
      (await env.api.request('POST', '/api/keys', {
        name: 'shop viewer',
        role: 'viewer',
        owner: OWNER,
      })) as { key: string }
    ).key;
    const viewer = await signedInContext(env.browser, env.apiUrl, key);
    try {
      const viewerPage = await viewer.newPage();
      const { items } = (await env.api.request('GET', `/api/runs?trigger=${BIG}`)) as {
        items: Array<{ runId: string }>;
      };
      await viewerPage.goto(`/runs/${encodeURIComponent(items[0]!.runId)}`);
      await viewerPage.getByText('Timeline').waitFor();
      expect(await viewerPage.getByRole('button', { name: 'Re-run' }).count()).toBe(0);
      expect(await viewerPage.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
      await viewerPage.goto('/events/order-huge');
      await viewerPage.locator('.decision').first().waitFor();
      expect(await viewerPage.getByRole('link', { name: 'Dead letters' }).count()).toBe(0);
      expect(await viewerPage.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    } finally {
      await viewer.close();
    }
  });

  it('lists dead letters with their reasons; inspects, re-sends and purges one', async () => {
    // Bytes that are no CloudEvent, on the events topic: the evaluator dead-letters them.
    const producer = kafkaForTest('console-operations').producer();
    await producer.connect();
    try {
      await producer.send({
        topic: env.env.FLINT_TOPIC_EVENTS!,
        messages: [
          { key: 'broken-order', value: 'this is not a CloudEvent' },
          // Kept (not purged) for the accessibility check of a dead letter's page.
          { key: 'broken-order-kept', value: 'neither is this' },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const listed = await waitFor(
      async () => {
        const page = (await env.api.request('GET', '/api/dead-letters')) as DeadLetterPage;
        keptDeadLetter = page.items.find((item) => item.key === 'broken-order-kept')?.id;
        return keptDeadLetter === undefined
          ? undefined
          : page.items.find((item) => item.key === 'broken-order');
      },
      { timeoutMs: 60_000, description: 'the broken messages among the dead letters' },
    );

    // The overview counts it, and its tile leads to the dead letters not re-sent yet.
    await page.goto('/');
    const tile = page.locator('a.tile', { hasText: 'Dead letters' });
    await tile
      .locator('.tile-value')
      .filter({ hasText: /^[1-9]\d*$/ })
      .waitFor();
    await tile.click();
    await page.waitForURL(/\/dead-letters\?resent=false$/);
    const letter = page.getByRole('link', { name: `Dead letter ${listed.id}` });
    await letter.waitFor();
    const letterRow = page.locator('tbody tr', { has: letter });
    expect(await letterRow.textContent()).toContain('undecodable');
    await screenshot(page, 'dead-letters');

    await letter.click();
    await page.waitForURL(`**/dead-letters/${listed.id}`);
    expect(await page.getByLabel('dead letter value', { exact: true }).textContent()).toBe(
      'this is not a CloudEvent',
    );
    await screenshot(page, 'dead-letter');

    await page.getByRole('button', { name: 'Re-send' }).click();
    await page.getByText('Re-sent 1.').waitFor();
    await waitFor(
      async () =>
        (
          (await env.api.request('GET', `/api/dead-letters/${listed.id}`)) as {
            resendCount: number;
          }
        ).resendCount === 1,
      { description: 'the re-send counted' },
    );

    await page.getByRole('button', { name: 'Purge' }).click();
    await page
      .getByRole('dialog', { name: 'Purge this dead letter?' })
      .getByRole('button', { name: 'Purge' })
      .click();
    await page.waitForURL('**/dead-letters');
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    const after = (await env.api.request('GET', '/api/dead-letters')) as DeadLetterPage;
    expect(after.items.map((item) => item.id)).not.toContain(listed.id);
  });

  it('builds debounce, rate limit, an expectation and at-least logic in the form', async () => {
    await page.goto('/builder');
    await page.getByLabel('Id', { exact: true }).fill('quorum');
    await page.getByLabel('Owner', { exact: true }).fill(OWNER);
    await page.getByRole('button', { name: 'Add a source' }).click();
    await page.getByLabel('Source 1', { exact: true }).selectOption(SOURCE);
    await page.getByLabel('When several are listed').selectOption('atLeast');
    await page.getByLabel('How many').fill('1');

    await page.getByRole('switch', { name: 'Expect' }).click();
    await page.getByLabel('Missing', { exact: true }).selectOption(SOURCE);
    await page.getByLabel('For', { exact: true }).fill('15m');
    await page.getByRole('switch', { name: 'Debounce' }).click();
    await page.getByLabel('Quiet for').fill('45s');
    await page.getByRole('switch', { name: 'Rate limit' }).click();
    await page.getByLabel('Runs', { exact: true }).fill('5');
    await page.getByLabel('Beyond the limit').selectOption('delay');
    await page.locator('#control').scrollIntoViewIfNeeded();
    await screenshot(page, 'builder-pacing');

    await page.getByRole('tab', { name: 'YAML' }).click();
    const yaml = (await page.getByTestId('yaml-editor').textContent()) ?? '';
    for (const line of [
      'atLeast: 1',
      'missing: shop-hook',
      'for: 15m',
      'period: 45s',
      'limit: 5',
      'onExceed: delay',
    ]) {
      expect(yaml).toContain(line);
    }
  });

  it('builds a priority, cancelOn and a callback completion in the form', async () => {
    // The previous draft was never saved: the builder asks before the page is left.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.goto('/builder');
    await page.getByLabel('Id', { exact: true }).fill('prioritised');
    await page.getByLabel('Owner', { exact: true }).fill(OWNER);
    await page.getByRole('button', { name: 'Add a source' }).click();
    await page.getByLabel('Source 1', { exact: true }).selectOption(SOURCE);
    await page.getByTestId('editor-priority').click();
    await page.keyboard.type('event.data.total > 1000 ? 10 : 0');
    await page.getByRole('switch', { name: 'Cancel on' }).click();
    await page.getByLabel('Of event types').fill('com.example.order.cancelled');
    await page.getByTestId('editor-cancelOn.match').click();
    await page.keyboard.type('event.data.orderId');
    await page.getByRole('radio', { name: 'HTTP call' }).click();
    await page.getByLabel('URL').fill('https://fulfilment.example.com/start');
    await page.getByLabel('The run is over').selectOption('callback');
    await page.getByLabel('Callback deadline').fill('30m');
    await page.getByTestId('validation-status').getByText('Valid').waitFor();

    await page.getByRole('tab', { name: 'YAML' }).click();
    const yaml = (await page.getByTestId('yaml-editor').textContent()) ?? '';
    for (const line of [
      'priority: "event.data.total > 1000 ? 10 : 0"',
      '- com.example.order.cancelled',
      'match: event.data.orderId',
      'completion: callback',
      'completionTimeout: 30m',
    ]) {
      expect(yaml).toContain(line);
    }
  });

  /**
   * Opens the page's backtest dialog and runs it over the last day: order-big and order-huge make
   * the two runs of orders over 100 (the small, live and warm-up orders are under it).
   */
  async function backtestLastDay(title: string) {
    await page.getByRole('button', { name: 'Backtest' }).click();
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.getByRole('button', { name: 'Last day' }).click();
    await dialog.getByRole('button', { name: 'Run backtest' }).click();
    const result = dialog.getByTestId('backtest-result');
    await result.getByText('It would have started 2 runs').waitFor({ timeout: 30_000 });
    for (const id of ['order-big', 'order-huge']) {
      await result.getByRole('link', { name: id }).waitFor();
    }
    return { dialog, result };
  }

  it('backtests the draft over the archived orders: its would-be runs and decisions', async () => {
    await page.getByTestId('editor-condition').click();
    await page.keyboard.type('event.data.total > 100');
    await page.getByTestId('validation-status').getByText('Valid').waitFor();
    const { dialog, result } = await backtestLastDay('Backtest the draft');
    expect(await result.locator('[data-outcome="matched"]').textContent()).toContain('2');
    expect(await result.locator('[data-outcome="condition_false"]').count()).toBe(1);
    await screenshot(page, 'builder-backtest');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('backtests a saved trigger from its page, beside the runs it really started', async () => {
    await page.goto(`/triggers/${BIG}`);
    await page.getByRole('heading', { name: BIG }).waitFor();
    const { dialog, result } = await backtestLastDay('Backtest this trigger');
    // It really started the same two, and the re-run made by hand above, which no event caused.
    const { items } = (await env.api.request('GET', `/api/runs?trigger=${BIG}`)) as {
      items: Array<{ runId: string }>;
    };
    const rerunIds = items.map((r) => r.runId).filter((id) => id.startsWith(`${BIG}.rerun-`));
    expect(rerunIds).toHaveLength(1);
    const actual = result.getByTestId('backtest-actual');
    expect(await actual.textContent()).toContain(
      `It really started ${items.length} runs in the range`,
    );
    const onlyReal = actual.getByRole('list', { name: 'Started, but not by the backtest' });
    expect(await onlyReal.getByRole('link').allTextContents()).toEqual(rerunIds);
    expect(
      await actual.getByRole('list', { name: 'In the backtest only, never started' }).count(),
    ).toBe(0);
    // The result is longer than the window: it scrolls, and the dialog's buttons stay in view.
    const frame = (await dialog.boundingBox())!;
    const button = (await dialog.getByRole('button', { name: 'Run backtest' }).boundingBox())!;
    expect(button.y + button.height).toBeLessThanOrEqual(frame.y + frame.height);
    await screenshot(page, 'trigger-backtest');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('loaded every screen without an unexpected error', () => {
    // The browser logs the refused filter's 400, and the 404 of a re-run no runner has claimed
    // yet; the screens showed both (above).
    expect(errors.filter((error) => !/status of (400|404)/.test(error))).toEqual([]);
  });

  it('has no serious accessibility violation on these screens and dialogs, wide and narrow', async () => {
    const { items } = (await env.api.request('GET', `/api/runs?trigger=${BIG}`)) as {
      items: Array<{ runId: string }>;
    };
    const runId = items[items.length - 1]!.runId;
    const openDialog = (button: string, dialog: string) => async (page: Page) => {
      await page.getByRole('button', { name: button }).click();
      await page.getByRole('dialog', { name: dialog }).waitFor();
    };
    await checkScreens(
      env,
      ADMIN_KEY,
      [
        { name: 'events', path: '/events', heading: 'Events' },
        { name: 'event', path: '/events/order-huge', heading: 'order-huge' },
        {
          name: 'replay-dialog',
          path: '/events/order-huge',
          heading: 'order-huge',
          open: openDialog('Replay', 'Replay this event'),
        },
        { name: 'run', path: `/runs/${encodeURIComponent(runId)}`, heading: runId },
        {
          name: 'rerun-dialog',
          path: `/runs/${encodeURIComponent(runId)}`,
          heading: runId,
          open: openDialog('Re-run', 'Re-run this run'),
        },
        { name: 'dead-letters', path: '/dead-letters', heading: 'Dead letters' },
        {
          name: 'dead-letter',
          path: `/dead-letters/${keptDeadLetter!}`,
          heading: `Dead letter #${keptDeadLetter!}`,
        },
        {
          name: 'trigger-backtest-dialog',
          path: `/triggers/${BIG}`,
          heading: BIG,
          // With its result: the would-be runs beside the real ones are checked too.
          open: async (page) => {
            await openDialog('Backtest', 'Backtest this trigger')(page);
            await page.getByRole('button', { name: 'Run backtest' }).click();
            await page.getByTestId('backtest-actual').waitFor({ timeout: 30_000 });
          },
        },
        {
          name: 'backtest-dialog',
          path: `/builder/${BIG}`,
          heading: `Edit ${BIG}`,
          open: async (page) => {
            await page.getByTestId('validation-status').getByText('Valid').waitFor();
            await openDialog('Backtest', 'Backtest the draft')(page);
          },
        },
      ],
      (name, wide) => (wide ? undefined : `narrow-${name}`),
    );
  });
});
