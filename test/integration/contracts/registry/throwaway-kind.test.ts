import type { Provider } from '@flint/contracts';
import { Logger } from '@nestjs/common';
import type { RunningService } from '@flint/service-kit';
import { z } from 'zod';
import { createScratchDatabase, type ScratchDatabase } from '../../../support/postgres';
import { isolatedStackEnv } from '../../../support/isolated-stack';
import { withRegistryEntries } from '../../../support/registry';

/**
 * A kind of source added as one entry of the registry (`SOURCE_KINDS` in libs/contracts) and nothing
 * else: every part of Flint that depends on the kinds derives it from the registry, so the API
 * validates the new kind's sources with its schema, the evaluator routes its events by source id, and
 * the local stack asks the service the entry names to run it, which refuses to boot until the kind
 * has an implementation there.
 */
const THROWAWAY = {
  throwaway: {
    config: z.strictObject({ greeting: z.string().min(1, 'must say something') }),
    carriesSourceId: true,
    service: 'poller',
  },
} as const;

const loaded = withRegistryEntries({ kinds: THROWAWAY }, () => ({
  api: jest.requireActual<typeof import('../../api/api-harness')>('../../api/api-harness'),
  evaluator: jest.requireActual<typeof import('../../evaluator/evaluator-harness')>(
    '../../evaluator/evaluator-harness',
  ),
  localStack: jest.requireActual<typeof import('../../../../apps/local-stack/src/local-stack')>(
    '../../../../apps/local-stack/src/local-stack',
  ),
}));

const sfx = Math.random().toString(36).slice(2, 8);
const throwawaySource = (config: Record<string, unknown>) => ({
  kind: 'source',
  id: `hello-${sfx}`,
  provider: 'throwaway',
  config,
});

describe('a source kind added to the registry alone', () => {
  describe('the API', () => {
    let api: RunningService;
    const http = (method: string, path: string, body?: unknown) =>
      loaded.api.call(api.url, method, path, body === undefined ? {} : { body });

    beforeAll(async () => {
      api = await loaded.api.startApi(loaded.api.testTopics('throwaway-api'));
    });
    afterAll(() => api.stop());

    it('stores a source of the kind, validated with its config schema, and filters by it', async () => {
      const created = await http('POST', '/api/sources', throwawaySource({ greeting: 'hi' }));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ provider: 'throwaway', config: { greeting: 'hi' } });

      const listed = await http('GET', '/api/sources?provider=throwaway');
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([`hello-${sfx}`]);
    });

    it("refuses a source that breaks the kind's schema, naming the field", async () => {
      const refused = await http(
        'POST',
        '/api/sources',
        throwawaySource({ greeting: '', volume: 11 }),
      );
      expect(refused.status).toBe(400);
      const problems = refused.body.error.issues.map(
        (issue: { path: string; message: string }) => `${issue.path}: ${issue.message}`,
      );
      expect(problems).toEqual([
        'config.greeting: must say something',
        'config.volume: unknown key "volume"',
      ]);
    });
  });

  describe('the evaluator', () => {
    const bed = new loaded.evaluator.EvaluatorTestBed('throwaway-evaluator');

    beforeAll(() => bed.setUp('throwaway_evaluator'));
    afterAll(() => bed.tearDown());

    it("fires a trigger on the kind's source for the events that name it", async () => {
      await bed.define(
        throwawaySource({ greeting: 'hi' }),
        loaded.evaluator.trigger('greeted', { sources: [`hello-${sfx}`] }),
      );
      await bed.startEvaluator();
      const fromSource = {
        // The compiler knows the registry as written; the kind exists at run time only.
        flintprovider: 'throwaway' as Provider,
        flintsourceid: `hello-${sfx}`,
        type: 'test.greeting',
      };
      await bed.publish(
        loaded.evaluator.testEvent('elsewhere', { ...fromSource, flintsourceid: 'elsewhere' }),
        loaded.evaluator.testEvent(`hello-${sfx}`, fromSource),
      );
      const [run] = await bed.waitForRuns('greeted', 1);
      expect(run).toMatchObject({ triggerId: 'greeted', provider: 'throwaway' });
      expect(bed.runsOf('greeted')).toHaveLength(1);
    });
  });

  describe('the local stack', () => {
    let database: ScratchDatabase;

    beforeAll(async () => {
      database = await createScratchDatabase('throwaway_stack');
    });
    afterAll(() => database.drop());

    it('refuses to boot until the service the entry names implements the kind', async () => {
      const env = isolatedStackEnv(database.url, { FLINT_LOG_LEVEL: 'silent' });
      await expect(
        loaded.localStack.startLocalStack(env, new Logger('throwaway-stack')),
      ).rejects.toThrow(
        "source kind 'throwaway' is registered to run in the poller service (SOURCE_KINDS, libs/contracts/src/registry/source-kinds.ts), but the service has no implementation of it; add one under apps/providers/poller/src",
      );
    });
  });
});
