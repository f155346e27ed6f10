import { BadRequestException } from '@nestjs/common';
import type { CelEngine } from '@flint/conditions';
import { eventFromJson } from '@flint/conditions';
import type { BacktestRequest, BacktestResult, StoredTrigger } from '@flint/contracts';
import type {
  ArchiveCursor,
  EventArchiveRepository,
  RunCursor,
  RunHistoryRepository,
} from '@flint/store';
import { inSpan } from '@flint/telemetry';
import { Backtester } from '../../../evaluator/src/simulation/backtester';
import { assertCanSee, type Principal } from '../auth/principal';
import type { DefinitionRepository } from '../definitions/definition-repository';
import type { TestFire } from '../test-fire/test-fire';

/**
 * Archived events (or runs) read per query: each page is an index range of the archive's key, large
 * enough that a million events are a few hundred round trips, small enough not to hold it up.
 */
export const BACKTEST_PAGE = 5000;

/**
 * `POST /api/triggers/backtest`: a draft or saved trigger run over the archived events of a range
 * with the evaluator's own code and no side effects (see `Backtester`); for a saved trigger, what it
 * actually started in the range beside it. Seeing the trigger is enough.
 */
export class TriggerBacktest {
  constructor(
    private readonly engine: CelEngine,
    private readonly archive: Pick<EventArchiveRepository, 'originalEvents'>,
    private readonly runs: Pick<RunHistoryRepository, 'history'>,
    private readonly definitions: DefinitionRepository,
    private readonly drafts: Pick<TestFire, 'validateDraft' | 'sourcesOf'>,
  ) {}

  async run(principal: Principal, request: BacktestRequest): Promise<BacktestResult> {
    const trigger =
      request.triggerId === undefined
        ? await this.drafts.validateDraft(principal, request.trigger, 'trigger')
        : await this.saved(request.triggerId);
    assertCanSee(principal, trigger.owner, `trigger ${trigger.id}`);
    const from = new Date(request.from);
    const to = new Date(request.to);
    return inSpan('flint-api', 'flint.trigger backtest', {}, async () => {
      const backtester = new Backtester({
        engine: this.engine,
        trigger,
        sources: await this.drafts.sourcesOf(trigger),
        from: from.getTime(),
        shown: request.limit,
      });
      const read = (after: ArchiveCursor | undefined) => {
        const page = this.archive.originalEvents(from, to, after, BACKTEST_PAGE);
        // Awaited below, unless the simulation failed first: then its failure is the answer.
        page.catch(() => undefined);
        return page;
      };
      // The next page is read while this one is simulated: the database works beside the CPU.
      let next = read(undefined);
      for (;;) {
        const page = await next;
        if (page.next) next = read(page.next);
        await backtester.feed(
          page.events.map(({ event, fromFlint }) => ({ event: eventFromJson(event), fromFlint })),
        );
        if (!page.next) break;
      }
      const summary = await backtester.finish(to.getTime());
      return {
        triggerId: trigger.id,
        from: from.toISOString(),
        to: to.toISOString(),
        events: summary.events,
        runs: summary.runs,
        shown: summary.shown,
        decisions: summary.decisions,
        ...(request.triggerId !== undefined && {
          actual: await this.actual(trigger.id, from, to, summary.runIds, request.limit),
        }),
      };
    });
  }

  /** A saved trigger named in the body: unknown (or another owner's) is a bad request, not a 404. */
  private async saved(id: string): Promise<StoredTrigger> {
    const definition = await this.definitions.get('trigger', id);
    if (definition?.kind === 'trigger') return definition;
    throw new BadRequestException({
      error: {
        code: 'invalid_request',
        message: `trigger ${id} not found`,
        issues: [{ path: 'triggerId', message: `no trigger ${id}` }],
      },
    });
  }

  /** The runs the trigger's runner claimed in the range, and which run ids differ from the backtest's. */
  private async actual(
    triggerId: string,
    since: Date,
    until: Date,
    backtested: ReadonlySet<string>,
    limit: number,
  ): Promise<NonNullable<BacktestResult['actual']>> {
    const ids = new Set<string>();
    const runs: NonNullable<BacktestResult['actual']>['shown'] = [];
    let after: RunCursor | undefined;
    do {
      const page = await this.runs.history({
        triggerId,
        since,
        until,
        limit: BACKTEST_PAGE,
        ...(after && { after }),
      });
      for (const run of page.runs) {
        ids.add(run.runId);
        runs.push({
          runId: run.runId,
          createdAt: run.createdAt.toISOString(),
          triggerVersion: run.triggerVersion,
          input: run.input,
        });
        // Newest first from the store; only the oldest `limit` are kept to be listed.
        if (runs.length > limit) runs.shift();
      }
      after = page.next;
    } while (after);
    return {
      runs: ids.size,
      shown: runs.reverse(),
      onlyBacktest: [...backtested].filter((id) => !ids.has(id)).slice(0, limit),
      onlyActual: [...ids].filter((id) => !backtested.has(id)).slice(0, limit),
    };
  }
}
