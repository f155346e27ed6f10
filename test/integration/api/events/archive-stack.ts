import { randomUUID } from 'node:crypto';
import { type LocalStack, startLocalStack } from '../../../../apps/local-stack/src/local-stack';
import { isolatedStackEnv } from '../../../support/isolated-stack';
import { waitFor } from '../../../support/kafka';
import { createScratchDatabase } from '../../../support/postgres';
import { quietLogger } from '../../../support/traced-stack';
import { ADMIN_KEY, call, type JsonBody, localTrigger, webhookSource } from '../api-harness';

/**
 * The whole stack (webhook, evaluator, runner, api…) on a scratch database of its own, with the
 * admin key the API harness uses, for the archive's routes and commands: events really come in
 * through a webhook and are archived by the evaluator.
 */
export interface ArchiveStack {
  api: string;
  webhook: string;
  stop(): Promise<void>;
  /** Posts `data` to the webhook source at `path`; returns the accepted event's id. */
  post(path: string, data: unknown): Promise<string>;
  /** The archived event once the evaluator has archived it. */
  archived(eventId: string): Promise<JsonBody>;
  /**
   * Creates a webhook source and triggers on it (owned by `owner`), and waits until the evaluator
   * considers every trigger: warm-up events are posted until one is archived with a decision of each.
   */
  define(
    owner: string,
    source: string,
    triggers: Array<{ id: string } & Record<string, unknown>>,
  ): Promise<void>;
  /**
   * A source of `owner` with one trigger firing on pushes to main, and two pushes through it: to
   * dev (fires nothing), then to main (fires the trigger); returns when both are archived.
   */
  pushes(
    owner: string,
    source: string,
    trigger: string,
  ): Promise<{ since: string; dev: string; main: string }>;
}

export async function startArchiveStack(overrides: NodeJS.ProcessEnv = {}): Promise<ArchiveStack> {
  const database = await createScratchDatabase('archive');
  let stack: LocalStack;
  try {
    stack = await startLocalStack(
      isolatedStackEnv(database.url, { FLINT_ADMIN_API_KEY: ADMIN_KEY, ...overrides }),
      quietLogger,
    );
  } catch (err) {
    await database.drop();
    throw err;
  }
  const api = stack.services.get('api')!.url;
  const webhook = stack.services.get('webhook')!.url;
  const post = async (path: string, data: unknown) => {
    const response = await fetch(`${webhook}/hooks/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(data),
    });
    if (response.status !== 202) throw new Error(`webhook answered ${response.status}`);
    return ((await response.json()) as { eventId: string }).eventId;
  };
  const archived = (eventId: string) =>
    waitFor(
      async () => {
        const found = await call(api, 'GET', `/api/events/${encodeURIComponent(eventId)}`);
        return found.status === 200 ? found.body : null;
      },
      { timeoutMs: 90_000, intervalMs: 200, description: `event ${eventId} to be archived` },
    );
  const define = definer(api, post, archived);
  return {
    api,
    webhook,
    post,
    archived,
    define,
    async pushes(owner, source, trigger) {
      await define(owner, source, [
        { id: trigger, condition: "event.data.ref == 'refs/heads/main'" },
      ]);
      const since = new Date().toISOString();
      const dev = await post(source, { ref: 'refs/heads/dev' });
      const main = await post(source, { ref: 'refs/heads/main' });
      await archived(dev);
      await archived(main);
      return { since, dev, main };
    },
    async stop() {
      await stack.stop();
      await database.drop();
    },
  };
}

/** See `ArchiveStack.define`. */
function definer(api: string, post: ArchiveStack['post'], archived: ArchiveStack['archived']) {
  return async (
    owner: string,
    source: string,
    triggers: Array<{ id: string } & Record<string, unknown>>,
  ): Promise<void> => {
    const created = await call(api, 'POST', '/api/sources', {
      body: webhookSource(source, { owner }),
    });
    if (created.status !== 201) throw new Error(`source: ${JSON.stringify(created.body)}`);
    for (const { id, ...overrides } of triggers) {
      const trigger = await call(api, 'POST', '/api/triggers', {
        body: localTrigger(id, [source], { owner, ...overrides }),
      });
      if (trigger.status !== 201) throw new Error(`trigger: ${JSON.stringify(trigger.body)}`);
    }
    await waitFor(
      async () => {
        // The webhook may not serve the new source yet: a refused post is tried again.
        const eventId = await post(source, { ref: `refs/warm-up/${randomUUID()}` }).catch(
          () => undefined,
        );
        if (eventId === undefined) return false;
        const event = await archived(eventId);
        const considered = new Set(event.decisions.map((d: { triggerId: string }) => d.triggerId));
        return triggers.every(({ id }) => considered.has(id));
      },
      { timeoutMs: 120_000, intervalMs: 500, description: 'the evaluator to know the triggers' },
    );
  };
}
