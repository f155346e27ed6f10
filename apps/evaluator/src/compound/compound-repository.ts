import { randomUUID } from 'node:crypto';
import { ADVISORY_LOCK_NAMESPACE, type Queryable, type Store } from '@flint/store';
import { jsonText, keyHash, parseJsonText, storableText } from '../storable-text';

/** A partial match of a compound (`logic: all`) trigger: the events seen so far, by member. */
export interface CompoundMatch {
  id: string;
  startedAt: Date;
  expiresAt: Date;
  /** Member (source id or event type) → its event as JSON. */
  members: Record<string, unknown>;
}

/** The match an event already belongs to, which makes the event a replay. */
export interface CompoundMembership {
  matchId: string;
  status: 'open' | 'fired' | 'failed';
  /** The run request a fired match produced, to send again for a replayed member. */
  runRequest: unknown;
}

export interface CompoundMatchKey {
  triggerId: string;
  correlationKey: string;
  eventId: string;
}

export type CompoundOutcome = { status: 'fired'; runRequest: unknown } | { status: 'failed' };

/** What one event may do to its trigger's match, inside one transaction. */
export interface CompoundSession {
  readonly membership: CompoundMembership | undefined;
  /** The open match for the trigger and correlation key, locked until the session ends. */
  readonly open: CompoundMatch | undefined;
  /** Deletes a match that expired before it completed. */
  drop(matchId: string): Promise<void>;
  start(startedAt: Date, expiresAt: Date): Promise<CompoundMatch>;
  /** Records the event under the member and makes the event's id known for this trigger. */
  addMember(matchId: string, member: string, event: unknown): Promise<void>;
  /** Closes the match; it and its member ids stay until `keepUntil` so replays are recognised. */
  finish(matchId: string, outcome: CompoundOutcome, keepUntil: Date): Promise<void>;
}

export interface CompoundSweep {
  /** Open matches whose window passed before they completed. */
  expired: number;
  /** Finished matches past their keep time. */
  removed: number;
}

interface MatchRow {
  id: string;
  started_at: Date | string;
  expires_at: Date | string;
  /** Member → its event as JSON text. */
  members: Record<string, string>;
}

/**
 * Partial compound matches, persisted so that a restart does not forget half-complete ones. Events of
 * one match usually come from different sources, so from different partitions and possibly different
 * evaluator replicas: each session holds a transaction-scoped advisory lock on its trigger and
 * correlation key, so the replicas take turns on a match.
 */
export class EvaluatorCompoundRepository {
  constructor(private readonly store: Store) {}

  withMatch<T>(key: CompoundMatchKey, fn: (session: CompoundSession) => Promise<T>): Promise<T> {
    return this.store.transaction(async (tx) => {
      const correlation = keyHash(key.correlationKey);
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        ADVISORY_LOCK_NAMESPACE,
        `${key.triggerId}/${correlation}`,
      ]);
      const [membership] = await tx.query<{
        match_id: string;
        status: CompoundMembership['status'];
        run_request: string | null;
      }>(
        `SELECT e.match_id, m.status, m.run_request
         FROM evaluator_compound_events e JOIN evaluator_compound_matches m ON m.id = e.match_id
         WHERE e.trigger_id = $1 AND e.event_id = $2`,
        [key.triggerId, storableText(key.eventId)],
      );
      const [open] = await tx.query<MatchRow>(
        `SELECT id, started_at, expires_at, members FROM evaluator_compound_matches
         WHERE trigger_id = $1 AND correlation_key_hash = $2 AND status = 'open'`,
        [key.triggerId, correlation],
      );
      return fn(
        session(
          tx,
          key,
          correlation,
          open && compoundMatch(open),
          membership && {
            matchId: membership.match_id,
            status: membership.status,
            runRequest: parseJsonText(membership.run_request),
          },
        ),
      );
    });
  }

  /** Drops open matches whose window has passed and forgets finished ones past their keep time. */
  async sweep(now: Date): Promise<CompoundSweep> {
    const at = now.toISOString();
    const expired = await this.store.query(
      `DELETE FROM evaluator_compound_matches WHERE status = 'open' AND expires_at < $1::timestamptz
       RETURNING id`,
      [at],
    );
    const removed = await this.store.query(
      `DELETE FROM evaluator_compound_matches
       WHERE status <> 'open' AND keep_until < $1::timestamptz RETURNING id`,
      [at],
    );
    return { expired: expired.length, removed: removed.length };
  }
}

function session(
  tx: Queryable,
  key: CompoundMatchKey,
  correlation: string,
  open: CompoundMatch | undefined,
  membership: CompoundMembership | undefined,
): CompoundSession {
  return {
    membership,
    open,
    async drop(matchId) {
      await tx.query('DELETE FROM evaluator_compound_matches WHERE id = $1', [matchId]);
    },
    async start(startedAt, expiresAt) {
      const [row] = await tx.query<MatchRow>(
        `INSERT INTO evaluator_compound_matches
           (id, trigger_id, correlation_key_hash, status, started_at, expires_at)
         VALUES ($1, $2, $3, 'open', $4::timestamptz, $5::timestamptz)
         RETURNING id, started_at, expires_at, members`,
        [
          randomUUID(),
          key.triggerId,
          correlation,
          startedAt.toISOString(),
          expiresAt.toISOString(),
        ],
      );
      return compoundMatch(row as MatchRow);
    },
    async addMember(matchId, member, event) {
      await tx.query(
        `UPDATE evaluator_compound_matches SET members = members || jsonb_build_object($2::text, $3::text)
         WHERE id = $1`,
        [matchId, storableText(member), jsonText(event)],
      );
      await tx.query(
        `INSERT INTO evaluator_compound_events (trigger_id, event_id, match_id) VALUES ($1, $2, $3)`,
        [key.triggerId, storableText(key.eventId), matchId],
      );
    },
    async finish(matchId, outcome, keepUntil) {
      await tx.query(
        `UPDATE evaluator_compound_matches
         SET status = $2, run_request = $3, finished_at = now(), keep_until = $4::timestamptz,
             members = '{}'
         WHERE id = $1`,
        [
          matchId,
          outcome.status,
          outcome.status === 'fired' ? jsonText(outcome.runRequest) : null,
          keepUntil.toISOString(),
        ],
      );
    },
  };
}

function compoundMatch(row: MatchRow): CompoundMatch {
  const members: Record<string, unknown> = {};
  for (const [member, event] of Object.entries(row.members)) members[member] = parseJsonText(event);
  return {
    id: row.id,
    startedAt: new Date(row.started_at),
    expiresAt: new Date(row.expires_at),
    members,
  };
}
