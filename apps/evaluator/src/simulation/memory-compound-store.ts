import { randomUUID } from 'node:crypto';
import type {
  CompoundMatch,
  CompoundMatchKey,
  CompoundOutcome,
  CompoundSession,
  CompoundSweep,
} from '../compound/compound-repository';
import type { CompoundStore } from '../compound/compound-tracker';

interface StoredMatch extends CompoundMatch {
  triggerId: string;
  correlationKey: string;
  status: 'open' | 'fired' | 'failed';
  runRequest?: unknown;
  keepUntil?: Date;
  eventIds: Set<string>;
}

/**
 * `EvaluatorCompoundRepository` in memory: for specs of the compound logic, and for backtests (no side
 * effects). Indexed like the table, so a session costs the same however many matches are kept.
 */
export class MemoryCompoundStore implements CompoundStore {
  readonly matches = new Map<string, StoredMatch>();
  /** Each trigger's matches of a correlation key (`correlationOf`), oldest first. */
  private readonly byCorrelation = new Map<string, StoredMatch[]>();
  /** The match each trigger's event is a member of (`memberOf`). */
  private readonly byEvent = new Map<string, StoredMatch>();

  async withMatch<T>(
    key: CompoundMatchKey,
    fn: (session: CompoundSession) => Promise<T>,
  ): Promise<T> {
    const member = this.byEvent.get(memberOf(key.triggerId, key.eventId));
    const open = this.byCorrelation
      .get(correlationOf(key.triggerId, key.correlationKey))
      ?.find((match) => match.status === 'open');
    const matches = this.matches;
    return fn({
      membership: member && {
        matchId: member.id,
        status: member.status,
        runRequest: member.runRequest ?? null,
      },
      open: open && { ...open, members: { ...open.members } },
      drop: async (matchId) => this.delete(matchId),
      start: async (startedAt, expiresAt) => {
        const match: StoredMatch = {
          id: randomUUID(),
          triggerId: key.triggerId,
          correlationKey: key.correlationKey,
          status: 'open',
          startedAt,
          expiresAt,
          members: {},
          eventIds: new Set(),
        };
        matches.set(match.id, match);
        const correlation = correlationOf(key.triggerId, key.correlationKey);
        this.byCorrelation.set(correlation, [
          ...(this.byCorrelation.get(correlation) ?? []),
          match,
        ]);
        return { id: match.id, startedAt, expiresAt, members: {} };
      },
      addMember: async (matchId, name, event) => {
        const match = matches.get(matchId) as StoredMatch;
        match.members[name] = structuredClone(event);
        match.eventIds.add(key.eventId);
        this.byEvent.set(memberOf(key.triggerId, key.eventId), match);
      },
      async finish(matchId, outcome: CompoundOutcome, keepUntil) {
        const match = matches.get(matchId) as StoredMatch;
        match.status = outcome.status;
        match.runRequest = outcome.status === 'fired' ? structuredClone(outcome.runRequest) : null;
        match.keepUntil = keepUntil;
        match.members = {};
      },
    });
  }

  async sweep(now: Date): Promise<CompoundSweep> {
    let expired = 0;
    let removed = 0;
    for (const match of [...this.matches.values()]) {
      if (match.status === 'open' && match.expiresAt < now) {
        this.delete(match.id);
        expired++;
      } else if (match.status !== 'open' && match.keepUntil && match.keepUntil < now) {
        this.delete(match.id);
        removed++;
      }
    }
    return { expired, removed };
  }

  openMatches(): StoredMatch[] {
    return [...this.matches.values()].filter((match) => match.status === 'open');
  }

  private delete(matchId: string): void {
    const match = this.matches.get(matchId);
    if (!match) return;
    this.matches.delete(matchId);
    const correlation = correlationOf(match.triggerId, match.correlationKey);
    const rest = (this.byCorrelation.get(correlation) ?? []).filter((other) => other !== match);
    if (rest.length === 0) this.byCorrelation.delete(correlation);
    else this.byCorrelation.set(correlation, rest);
    for (const eventId of match.eventIds) {
      const key = memberOf(match.triggerId, eventId);
      if (this.byEvent.get(key) === match) this.byEvent.delete(key);
    }
  }
}

function correlationOf(triggerId: string, correlationKey: string): string {
  return `${triggerId}\u0000${correlationKey}`;
}

function memberOf(triggerId: string, eventId: string): string {
  return `${triggerId}\u0000${eventId}`;
}
