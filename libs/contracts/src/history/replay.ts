import type { CloudEvent } from '../cloud-event';

/**
 * The extension attributes of a replayed event (`POST /api/events/replay`): CloudEvents names, so
 * they travel as `ce_` headers like every attribute.
 */
export const REPLAY_ATTRIBUTES = {
  /** The id of the archived event it replays: what marks it replayed. */
  of: 'flintreplayof',
  /** Offered to this trigger only. */
  trigger: 'flintreplaytrigger',
  /** Not offered to these triggers (comma-separated): the original already fired them. */
  skip: 'flintreplayskip',
  /** `true`: a trigger it fires starts a new run, deduplicated by the replayed event's own id. */
  rerun: 'flintreplayrerun',
  /**
   * `true`: no Flint service vouched for the original (it came unsigned). The api signs the replay
   * for its marks, but the replay keeps the original's trust: its owner and `flint.` type are not
   * believed.
   */
  foreign: 'flintreplayforeign',
} as const;

/** What a replayed event asks of the evaluator; undefined for an event that is no replay. */
export interface ReplayScope {
  of: string;
  only?: string;
  skip: string[];
  rerun: boolean;
  /** The original was not vouched for, so neither is the replay. */
  foreign: boolean;
}

export function replayScopeOf(event: CloudEvent): ReplayScope | undefined {
  const of = event[REPLAY_ATTRIBUTES.of];
  if (typeof of !== 'string') return undefined;
  const only = event[REPLAY_ATTRIBUTES.trigger];
  const skip = event[REPLAY_ATTRIBUTES.skip];
  return {
    of,
    ...(typeof only === 'string' ? { only } : {}),
    skip: typeof skip === 'string' && skip !== '' ? skip.split(',') : [],
    rerun: event[REPLAY_ATTRIBUTES.rerun] === true || event[REPLAY_ATTRIBUTES.rerun] === 'true',
    foreign:
      event[REPLAY_ATTRIBUTES.foreign] === true || event[REPLAY_ATTRIBUTES.foreign] === 'true',
  };
}
