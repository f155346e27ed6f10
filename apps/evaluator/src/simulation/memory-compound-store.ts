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

/** `EvaluatorCompoundRepository` in memory: for specs of the compound logic, and for backtests (no side effects). */
export class MemoryCompoundStore implements CompoundStore {
  readonly matches = new Map<string, StoredMatch>();

  async withMatch<T>(
    key: CompoundMatchKey,
    fn: (session: CompoundSession) => Promise<T>,
  ): Promise<T> {
    const all = [...this.matches.values()].filter((match) => match.triggerId === key.triggerId);
    const member = all.find((match) => match.eventIds.has(key.eventId));
    const open = all.find(
      (match) => match.status === 'open' && match.correlationKey === key.correlationKey,
    );
    const matches = this.matches;
    return fn({
      membership: member && {
        matchId: member.id,
        status: member.status,
        runRequest: member.runRequest ?? null,
      },
      open: open && { ...open, members: { ...open.members } },
      async drop(matchId) {
        matches.delete(matchId);
      },
      async start(startedAt, expiresAt) {
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
        return { id: match.id, startedAt, expiresAt, members: {} };
      },
      async addMember(matchId, name, event) {
        const match = matches.get(matchId) as StoredMatch;
        match.members[name] = structuredClone(event);
        match.eventIds.add(key.eventId);
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
        this.matches.delete(match.id);
        expired++;
      } else if (match.status !== 'open' && match.keepUntil && match.keepUntil < now) {
        this.matches.delete(match.id);
        removed++;
      }
    }
    return { expired, removed };
  }

  openMatches(): StoredMatch[] {
    return [...this.matches.values()].filter((match) => match.status === 'open');
  }
}
