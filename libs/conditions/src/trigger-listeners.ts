import {
  type CloudEvent,
  type InlineSource,
  type RunStatusConfig,
  runStatusEventType,
  type StoredTrigger,
} from '@flint/contracts';

/** How an event reaches a trigger: the index key it is filed under and what it stands for. */
export interface Listener {
  /** `source:<source id>` (the event's `flintsourceid`) or `type:<CloudEvent type>`. */
  key: string;
  /** The source id or event type it stands for: the parts of a compound match. */
  member: string;
  /** A further test the index key cannot express (which runs a run-status source follows). */
  accepts?: (event: CloudEvent) => boolean;
}

export interface TriggerListeners {
  listeners: Listener[];
  /** Every source id and event type of the trigger, in definition order. */
  members: string[];
  /** Sources named by id: the trigger is re-indexed when one of them changes. */
  sourceRefs: string[];
  /** Sources named by id that are not defined (yet); they feed nothing until they are. */
  unresolved: string[];
}

export function sourceKey(sourceId: string): string {
  return `source:${sourceId}`;
}

export function typeKey(type: string): string {
  return `type:${type}`;
}

/**
 * Where a trigger listens. Webhook, poller, cron and file sources publish events carrying their id
 * (`flintsourceid`); custom-event and run-status sources describe event types, which events of any
 * source may carry; `eventTypes` listen by type alone. A disabled source feeds nothing.
 */
export function listenersOf(
  trigger: StoredTrigger,
  sourceById: (id: string) => InlineSource | undefined,
): TriggerListeners {
  const listeners: Listener[] = [];
  const members: string[] = [];
  const sourceRefs: string[] = [];
  const unresolved: string[] = [];
  for (const reference of trigger.sources ?? []) {
    const source = typeof reference === 'string' ? sourceById(reference) : reference;
    const id = typeof reference === 'string' ? reference : reference.id;
    members.push(id);
    if (typeof reference === 'string') sourceRefs.push(reference);
    if (source === undefined) {
      unresolved.push(id);
      continue;
    }
    if (!source.enabled) continue;
    listeners.push(...sourceListeners(source));
  }
  for (const type of trigger.eventTypes ?? []) {
    members.push(type);
    listeners.push({ key: typeKey(type), member: type });
  }
  return { listeners, members: [...new Set(members)], sourceRefs, unresolved };
}

function sourceListeners(source: InlineSource): Listener[] {
  switch (source.provider) {
    case 'event':
      return source.config.types.map((type) => ({ key: typeKey(type), member: source.id }));
    case 'run-status': {
      const accepts = runStatusFilter(source.config);
      return source.config.statuses.map((status) => ({
        key: typeKey(runStatusEventType(status)),
        member: source.id,
        accepts,
      }));
    }
    default: {
      // Source ids are not the only ids on events: the runner files run-status events under the id
      // of their trigger, which may equal a source's. The provider tells them apart.
      const provider = source.provider;
      return [
        {
          key: sourceKey(source.id),
          member: source.id,
          accepts: (event) => event.flintprovider === provider,
        },
      ];
    }
  }
}

/** Run-status events come from the runner only; a custom event of the same type does not chain. */
export function runStatusFilter(config: RunStatusConfig): (event: CloudEvent) => boolean {
  return (event) => {
    if (event.flintprovider !== 'runner') return false;
    const data = event.data as
      | { triggerId?: unknown; workflow?: unknown; status?: unknown; error?: { type?: unknown } }
      | undefined;
    if (data === null || typeof data !== 'object') return false;
    if (config.triggers && !config.triggers.includes(data.triggerId as string)) return false;
    if (config.workflows && !config.workflows.includes(data.workflow as string)) return false;
    if (config.errorTypes && data.status === 'FAILED') {
      return config.errorTypes.includes(data.error?.type as string);
    }
    return true;
  };
}
