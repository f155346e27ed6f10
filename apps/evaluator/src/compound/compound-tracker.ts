import type { Clock } from '@flint/common';
import { type CompiledTrigger, eventFromJson, eventJson } from '@flint/conditions';
import type { CloudEvent, RunRequest } from '@flint/contracts';
import type {
  CompoundMatchKey,
  CompoundOutcome,
  CompoundSession,
  CompoundSweep,
} from './compound-repository';

/** Where partial matches are persisted; `EvaluatorCompoundRepository` in production. */
export interface CompoundStore {
  withMatch<T>(key: CompoundMatchKey, fn: (session: CompoundSession) => Promise<T>): Promise<T>;
  sweep(now: Date): Promise<CompoundSweep>;
}

/**
 * Builds the run request of a completed match; throws (`CelEvaluationError`) when its input mapping
 * fails, which ends the match as failed.
 */
export type CompleteMatch = (
  trigger: CompiledTrigger,
  members: ReadonlyMap<string, CloudEvent>,
  completing: CloudEvent,
) => RunRequest;

export type CompoundOffer =
  /** The event joined a match that still waits for other members. */
  | { status: 'waiting'; expired: number }
  /** The event is already part of a match, or its member already has an event in the open match. */
  | { status: 'duplicate'; expired: number }
  /** In a `sequence`, the event's member is not the next one the match waits for. */
  | { status: 'out_of_order'; expired: number }
  /** The match is complete (now, or earlier when `replay`): send this run request. */
  | { status: 'fired'; runRequest: RunRequest; replay: boolean; expired: number }
  /** The match completed but its run request could not be built. */
  | { status: 'failed'; error: unknown; expired: number };

/** How long a finished match is remembered at least, so replayed members are recognised. */
const MIN_KEEP_MS = 3_600_000;

/**
 * Compound triggers: a match opens with the first matching event of any member (source or event type)
 * for a correlation key and completes when every member has one (`logic: all`), any `k` of them
 * (`{ atLeast: k }`), or every member in the listed order (`sequence`: an event of any other member
 * than the next is out of order and does not count), within `within` of the first. Windows are measured on the events' acceptance times, so a replay decides as the first
 * pass did. The first event per member counts; a later one for a filled member is a duplicate. A
 * match whose window passed is dropped, and counted, when the next event finds it or a sweep does.
 */
export class CompoundTracker {
  constructor(
    private readonly store: CompoundStore,
    private readonly clock: Clock,
    private readonly complete: CompleteMatch,
  ) {}

  /**
   * Offers an event to its trigger's match. `members` are all of the trigger's members; `reached` the
   * ones this event stands for (usually one), of which it fills the first still empty.
   */
  offer(
    trigger: CompiledTrigger,
    members: readonly string[],
    reached: readonly string[],
    correlationKey: string,
    event: CloudEvent,
  ): Promise<CompoundOffer> {
    const compound = trigger.compound;
    if (compound === undefined) throw new Error(`trigger ${trigger.id} is not a compound trigger`);
    const { withinMs } = compound;
    const needed = compound.needed ?? members.length;
    const key = { triggerId: trigger.id, correlationKey, eventId: event.id };
    return this.store.withMatch(key, async (session) => {
      const replay = replayOf(session);
      if (replay) return replay;
      const acceptedAt = Date.parse(event.flintacceptedat);
      let open = session.open;
      let expired = 0;
      if (open && acceptedAt > open.expiresAt.getTime()) {
        await session.drop(open.id);
        open = undefined;
        expired = 1;
      }
      const filled = open?.members ?? {};
      let member: string | undefined;
      if (compound.ordered) {
        // Members fill in the order they are listed: the event counts only as the next one.
        const next = members[Object.keys(filled).length];
        member = next !== undefined && reached.includes(next) ? next : undefined;
        if (member === undefined) {
          const seen = reached.some((name) => name in filled);
          return { status: seen ? 'duplicate' : 'out_of_order', expired };
        }
      } else {
        member = reached.find((name) => !(name in filled));
        if (member === undefined) return { status: 'duplicate', expired };
      }
      open ??= await session.start(new Date(acceptedAt), new Date(acceptedAt + withinMs));
      const json = eventJson(event);
      await session.addMember(open.id, member, json);
      const collected = new Map<string, CloudEvent>();
      for (const name of members) {
        if (name === member) collected.set(name, event);
        else if (name in open.members) {
          collected.set(name, eventFromJson(open.members[name] as Record<string, unknown>));
        }
      }
      if (collected.size < needed) return { status: 'waiting', expired };
      const keepUntil = new Date(
        this.clock.now() + Math.max(withinMs, trigger.dedupeWindowMs, MIN_KEEP_MS),
      );
      let outcome: CompoundOutcome;
      let result: CompoundOffer;
      try {
        const runRequest = this.complete(trigger, collected, event);
        outcome = { status: 'fired', runRequest };
        result = { status: 'fired', runRequest, replay: false, expired };
      } catch (error) {
        outcome = { status: 'failed' };
        result = { status: 'failed', error, expired };
      }
      await session.finish(open.id, outcome, keepUntil);
      return result;
    });
  }

  /** Drops matches whose window passed on the clock (counted) and forgets old finished ones. */
  sweep(now: Date): Promise<CompoundSweep> {
    return this.store.sweep(now);
  }
}

/** An event already part of a match: a fired match's run request is sent again (same run id). */
function replayOf(session: CompoundSession): CompoundOffer | undefined {
  const { membership } = session;
  if (!membership) return undefined;
  if (membership.status === 'fired') {
    return {
      status: 'fired',
      runRequest: membership.runRequest as RunRequest,
      replay: true,
      expired: 0,
    };
  }
  return { status: 'duplicate', expired: 0 };
}
