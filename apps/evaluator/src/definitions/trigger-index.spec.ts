import {
  CelEngine,
  compileTrigger,
  resultFilterCompiler,
  sourceExpressionProblems,
} from '@flint/conditions';
import { runStatusEventType } from '@flint/contracts';
import { storedSource, storedTrigger, webhookEvent } from '../testing/triggers';
import { TriggerIndex } from './trigger-index';

const WEBHOOK = { path: 'github', auth: { type: 'none' } };

describe('TriggerIndex', () => {
  let engine: CelEngine;
  let index: TriggerIndex;
  let compilations: string[];

  beforeAll(async () => {
    engine = await CelEngine.create();
  });

  beforeEach(() => {
    compilations = [];
    index = new TriggerIndex((definition) => {
      compilations.push(`${definition.id}@${definition.version}`);
      return compileTrigger(engine, definition);
    });
  });

  const reached = (event = webhookEvent()) =>
    index.candidates(event).map((c) => `${c.trigger.id}:${c.members.join('+')}`);

  it('finds triggers by the source id and by the type of an event', () => {
    index.setSource('github', storedSource({ id: 'github', provider: 'webhook', config: WEBHOOK }));
    index.setTrigger('deploy', storedTrigger({ id: 'deploy', sources: ['github'] }));
    index.setTrigger('pushes', storedTrigger({ id: 'pushes', eventTypes: ['com.github.push'] }));
    index.setTrigger('other', storedTrigger({ id: 'other', eventTypes: ['com.github.issue'] }));
    expect(reached()).toEqual(['deploy:github', 'pushes:com.github.push']);
    expect(reached(webhookEvent({ flintsourceid: 'gitlab', type: 'x' }))).toEqual([]);
  });

  it("files a trigger's cancelOn sources and types apart from its members", () => {
    index.setSource('github', storedSource({ id: 'github', provider: 'webhook', config: WEBHOOK }));
    index.setTrigger(
      'deploy',
      storedTrigger({
        id: 'deploy',
        eventTypes: ['com.github.push'],
        cancelOn: { sources: ['github', 'later'], eventTypes: ['com.github.revert'] },
      }),
    );
    const cancels = (event = webhookEvent()) =>
      index.candidates(event).map((c) => `${c.trigger.id}:${c.members.join('+')}:${c.cancels}`);
    // From github and of type com.github.push: it both fires and may cancel.
    expect(cancels()).toEqual(['deploy:com.github.push:true']);
    expect(cancels(webhookEvent({ flintsourceid: 'gitlab', type: 'com.github.revert' }))).toEqual([
      'deploy::true',
    ]);
    expect(cancels(webhookEvent({ flintsourceid: 'gitlab' }))).toEqual([
      'deploy:com.github.push:false',
    ]);
    expect(index.membersOf('deploy')).toEqual(['com.github.push']);
    expect(index.unresolvedSourcesOf('deploy')).toEqual(['later']);
  });

  it('takes only events of the provider of a source filed under its id', () => {
    index.setSource('deploy', storedSource({ id: 'deploy', provider: 'webhook', config: WEBHOOK }));
    index.setTrigger('on-hook', storedTrigger({ id: 'on-hook', sources: ['deploy'] }));
    expect(reached(webhookEvent({ flintsourceid: 'deploy' }))).toEqual(['on-hook:deploy']);
    // The runner files the run-status events of trigger "deploy" under that id.
    expect(
      reached(
        webhookEvent({
          flintsourceid: 'deploy',
          flintprovider: 'runner',
          type: 'flint.run.failed',
        }),
      ),
    ).toEqual([]);
  });

  it('files a trigger under a source defined after it', () => {
    index.setTrigger('deploy', storedTrigger({ id: 'deploy', sources: ['github'] }));
    expect(index.unresolvedSourcesOf('deploy')).toEqual(['github']);
    expect(reached()).toEqual([]);
    index.setSource('github', storedSource({ id: 'github', provider: 'webhook', config: WEBHOOK }));
    expect(reached()).toEqual(['deploy:github']);
    expect(compilations).toEqual(['deploy@1']);
    index.setSource('github', undefined);
    expect(reached()).toEqual([]);
  });

  it('ignores disabled sources and removes disabled or deleted triggers', () => {
    index.setSource(
      'github',
      storedSource({ id: 'github', provider: 'webhook', config: WEBHOOK, enabled: false }),
    );
    index.setTrigger('deploy', storedTrigger({ id: 'deploy', sources: ['github'] }));
    expect(reached()).toEqual([]);
    index.setTrigger('typed', storedTrigger({ id: 'typed', eventTypes: ['com.github.push'] }));
    expect(reached()).toEqual(['typed:com.github.push']);
    index.setTrigger(
      'typed',
      storedTrigger({ id: 'typed', eventTypes: ['com.github.push'], enabled: false, version: 2 }),
    );
    expect(reached()).toEqual([]);
    index.setTrigger('deploy', undefined);
    expect(index.size).toBe(0);
  });

  it('listens to inline sources, custom event types and several members at once', () => {
    index.setTrigger(
      'both',
      storedTrigger({
        id: 'both',
        sources: [
          { id: 'hook', provider: 'webhook', config: WEBHOOK },
          { id: 'orders', provider: 'event', config: { types: ['com.example.order'] } },
        ],
        eventTypes: ['com.github.push'],
      }),
    );
    expect(reached(webhookEvent({ flintsourceid: 'hook' }))).toEqual(['both:hook+com.github.push']);
    expect(reached(webhookEvent({ flintsourceid: 'api', type: 'com.example.order' }))).toEqual([
      'both:orders',
    ]);
    expect(index.membersOf('both')).toEqual(['hook', 'orders', 'com.github.push']);
  });

  it('compiles a trigger once per version', () => {
    index.setTrigger('t', storedTrigger({ id: 't', eventTypes: ['a'] }));
    index.setTrigger('t', storedTrigger({ id: 't', eventTypes: ['a'] }));
    index.setTrigger('t', storedTrigger({ id: 't', eventTypes: ['b'], version: 2 }));
    expect(compilations).toEqual(['t@1', 't@2']);
    expect(index.get('t')?.version).toBe(2);
    expect(reached(webhookEvent({ type: 'a' }))).toEqual([]);
    expect(reached(webhookEvent({ type: 'b' }))).toEqual(['t:b']);
  });

  it('reaches what was filed since the last lookup of a key', () => {
    index.setTrigger('t', storedTrigger({ id: 't', eventTypes: ['a'] }));
    expect(reached(webhookEvent({ type: 'a' }))).toEqual(['t:a']);
    index.setTrigger('u', storedTrigger({ id: 'u', eventTypes: ['a'] }));
    expect(reached(webhookEvent({ type: 'a' }))).toEqual(['t:a', 'u:a']);
    index.setTrigger('t', storedTrigger({ id: 't', eventTypes: ['a'], version: 2 }));
    expect(index.candidates(webhookEvent({ type: 'a' })).map((c) => c.trigger.version)).toEqual([
      1, 2,
    ]);
    index.setTrigger('u', undefined);
    expect(reached(webhookEvent({ type: 'a' }))).toEqual(['t:a']);
  });

  it('keeps a trigger whose expressions do not compile, marked broken', () => {
    index.setTrigger('bad', storedTrigger({ id: 'bad', eventTypes: ['a'], condition: 'event.' }));
    const trigger = index.get('bad');
    expect(trigger?.kind).toBe('broken');
    expect(trigger?.kind === 'broken' && trigger.reason).toMatch(/^condition: /);
    expect(reached(webhookEvent({ type: 'a' }))).toEqual(['bad:a']);
  });

  describe('run-status sources', () => {
    const runStatus = (data: Record<string, unknown>, provider: 'runner' | 'api' = 'runner') =>
      webhookEvent({
        type: runStatusEventType(data.status as 'FAILED'),
        flintprovider: provider,
        flintsourceid: 'runner',
        data,
      });

    beforeEach(() => {
      index.setSource(
        'deploy-timeouts',
        storedSource({
          id: 'deploy-timeouts',
          provider: 'run-status',
          config: {
            triggers: ['deploy'],
            statuses: ['FAILED', 'SUCCEEDED'],
            errorTypes: ['TimeoutError'],
          },
        }),
      );
      index.setTrigger('retry', storedTrigger({ id: 'retry', sources: ['deploy-timeouts'] }));
    });

    it('follows the runs of the named triggers with the named statuses and errors', () => {
      expect(
        reached(
          runStatus({ triggerId: 'deploy', status: 'FAILED', error: { type: 'TimeoutError' } }),
        ),
      ).toEqual(['retry:deploy-timeouts']);
      expect(reached(runStatus({ triggerId: 'deploy', status: 'SUCCEEDED' }))).toEqual([
        'retry:deploy-timeouts',
      ]);
    });

    it('ignores other triggers, statuses, errors and events not from the runner', () => {
      expect(
        reached(
          runStatus({ triggerId: 'build', status: 'FAILED', error: { type: 'TimeoutError' } }),
        ),
      ).toEqual([]);
      expect(
        reached(runStatus({ triggerId: 'deploy', status: 'FAILED', error: { type: 'HttpError' } })),
      ).toEqual([]);
      expect(reached(runStatus({ triggerId: 'deploy', status: 'SKIPPED' }))).toEqual([]);
      expect(
        reached(
          runStatus(
            { triggerId: 'deploy', status: 'FAILED', error: { type: 'TimeoutError' } },
            'api',
          ),
        ),
      ).toEqual([]);
      expect(
        reached(webhookEvent({ type: 'flint.run.failed', flintprovider: 'runner', data: null })),
      ).toEqual([]);
    });
  });

  it('filters run-status events on their result with a CEL expression', () => {
    const filtered = new TriggerIndex(
      (definition) => compileTrigger(engine, definition),
      resultFilterCompiler(engine),
    );
    filtered.setSource(
      'halves',
      storedSource({
        id: 'halves',
        provider: 'run-status',
        config: { statuses: ['SUCCEEDED', 'FAILED'], result: 'result == 2.5' },
      }),
    );
    filtered.setTrigger('on-half', storedTrigger({ id: 'on-half', sources: ['halves'] }));
    const finished = (data: Record<string, unknown>) =>
      webhookEvent({
        type: runStatusEventType(data.status as 'FAILED'),
        flintprovider: 'runner',
        flintsourceid: 'division',
        data: { runId: 'r-1', triggerId: 'division', attempt: 1, ...data },
      });
    const reachedBy = (data: Record<string, unknown>) =>
      filtered.candidates(finished(data)).map((c) => c.trigger.id);
    expect(reachedBy({ status: 'SUCCEEDED', result: 2.5 })).toEqual(['on-half']);
    expect(reachedBy({ status: 'SUCCEEDED', result: 3 })).toEqual([]);
    expect(reachedBy({ status: 'SUCCEEDED', result: 'text' })).toEqual([]);
    expect(reachedBy({ status: 'SUCCEEDED' })).toEqual([]);
    // Failures have no result to filter: the filter leaves them to `statuses` and `errorTypes`.
    expect(reachedBy({ status: 'FAILED', error: { type: 'X', message: 'x' } })).toEqual([
      'on-half',
    ]);
    expect(
      sourceExpressionProblems(
        engine,
        storedSource({
          id: 'bad',
          provider: 'run-status',
          config: { statuses: ['SUCCEEDED'], result: 'result ==' },
        }),
      ),
    ).toEqual([
      {
        path: 'config.result',
        message: expect.stringContaining('(at line 1, column 10)'),
        position: { line: 1, column: 10, offset: 9 },
      },
    ]);
  });

  describe('owners', () => {
    const byOwner = (event: ReturnType<typeof webhookEvent>, fromFlint = true) =>
      index.candidates(event, fromFlint).map((c) => c.trigger.id);
    const custom = (flintowner?: string) =>
      webhookEvent({
        type: 'com.example.order',
        flintsourceid: 'api',
        flintprovider: 'api',
        flintowner,
      });

    beforeEach(() => {
      index.setTrigger(
        'shop-orders',
        storedTrigger({ id: 'shop-orders', owner: 'shop', eventTypes: ['com.example.order'] }),
      );
      index.setTrigger(
        'bank-orders',
        storedTrigger({ id: 'bank-orders', owner: 'bank', eventTypes: ['com.example.order'] }),
      );
    });

    it('lets an event reach by type only the triggers of its own owner', () => {
      expect(byOwner(custom('shop'))).toEqual(['shop-orders']);
      expect(byOwner(custom('bank'))).toEqual(['bank-orders']);
      expect(byOwner(custom('other'))).toEqual([]);
      expect(byOwner(custom(undefined))).toEqual([]);
    });

    it('does not believe the owner of an event Flint did not produce', () => {
      expect(byOwner(custom('shop'), false)).toEqual([]);
    });

    it('takes other owners through fromOwners, and events without an owner only with any', () => {
      index.setTrigger(
        'audit',
        storedTrigger({
          id: 'audit',
          owner: 'ops',
          eventTypes: ['com.example.order'],
          fromOwners: ['shop'],
        }),
      );
      index.setTrigger(
        'all',
        storedTrigger({
          id: 'all',
          owner: 'ops',
          eventTypes: ['com.example.order'],
          fromOwners: 'any',
        }),
      );
      expect(byOwner(custom('shop'))).toEqual(['shop-orders', 'audit', 'all']);
      expect(byOwner(custom('bank'))).toEqual(['bank-orders', 'all']);
      expect(byOwner(custom(undefined))).toEqual(['all']);
      expect(byOwner(custom('shop'), false)).toEqual(['all']);
    });

    it('feeds a source’s events to its owner’s triggers only, whatever they claim, and only when Flint produced them', () => {
      index.setSource(
        'till',
        storedSource({ id: 'till', owner: 'shop', provider: 'webhook', config: WEBHOOK }),
      );
      index.setTrigger(
        'shop-till',
        storedTrigger({ id: 'shop-till', owner: 'shop', sources: ['till'] }),
      );
      index.setTrigger(
        'bank-till',
        storedTrigger({ id: 'bank-till', owner: 'bank', sources: ['till'], fromOwners: 'any' }),
      );
      const event = webhookEvent({
        flintsourceid: 'till',
        type: 'com.example.sale',
        flintowner: 'bank',
      });
      expect(byOwner(event)).toEqual(['shop-till']);
      expect(byOwner(event, false)).toEqual([]);
    });

    it('gives an event by type from a source the owner of that source, inline or not', () => {
      index.setTrigger(
        'shop-hook',
        storedTrigger({
          id: 'shop-hook',
          owner: 'shop',
          sources: [{ provider: 'webhook', config: WEBHOOK }],
        }),
      );
      index.setTrigger(
        'shop-sales',
        storedTrigger({ id: 'shop-sales', owner: 'shop', eventTypes: ['com.example.sale'] }),
      );
      index.setTrigger(
        'bank-sales',
        storedTrigger({ id: 'bank-sales', owner: 'bank', eventTypes: ['com.example.sale'] }),
      );
      const sale = webhookEvent({
        flintsourceid: 'shop-hook-source',
        type: 'com.example.sale',
        flintowner: undefined,
      });
      expect(byOwner(sale)).toEqual(['shop-hook', 'shop-sales']);
    });
  });
});
