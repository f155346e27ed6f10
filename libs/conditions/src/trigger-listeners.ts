import {
  carriesSourceId,
  type CloudEvent,
  isReservedEventType,
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
  /**
   * For a source that names itself on its events (webhook, poller, cron, file): the source's owner,
   * whose triggers alone its events reach. Unset for listeners by type.
   */
  sourceOwner?: string;
  /** A further test the index key cannot express (which runs a run-status source follows). */
  accepts?: (event: CloudEvent) => boolean;
  /** Listens for the trigger's `cancelOn`: the event cancels runs rather than firing one. */
  cancels?: true;
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
/** Turns a run-status source's `result` expression into a test of a run's result. */
export type ResultFilterCompiler = (expression: string) => (result: unknown) => boolean;

export function listenersOf(
  trigger: StoredTrigger,
  sourceById: (id: string) => InlineSource | undefined,
  compileResult?: ResultFilterCompiler,
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
    listeners.push(...sourceListeners(source, compileResult));
  }
  for (const type of trigger.eventTypes ?? []) {
    members.push(type);
    listeners.push({ key: typeKey(type), member: type });
  }
  const { cancelOn } = trigger;
  for (const id of cancelOn?.sources ?? []) {
    sourceRefs.push(id);
    const source = inlineSourceOf(trigger, id) ?? sourceById(id);
    if (source === undefined) {
      unresolved.push(id);
      continue;
    }
    if (!source.enabled) continue;
    for (const listener of sourceListeners(source, compileResult)) {
      listeners.push({ ...listener, cancels: true });
    }
  }
  for (const type of cancelOn?.eventTypes ?? []) {
    listeners.push({ key: typeKey(type), member: type, cancels: true });
  }
  return { listeners, members: [...new Set(members)], sourceRefs, unresolved };
}

function inlineSourceOf(trigger: StoredTrigger, id: string): InlineSource | undefined {
  return trigger.sources?.find(
    (source): source is InlineSource => typeof source !== 'string' && source.id === id,
  );
}

function sourceListeners(
  source: InlineSource,
  compileResult: ResultFilterCompiler | undefined,
): Listener[] {
  switch (source.provider) {
    case 'event':
      return source.config.types.map((type) => ({
        key: typeKey(type),
        member: source.id,
      }));
    case 'run-status': {
      const { result } = source.config;
      // Without a compiler a result filter cannot be applied, so nothing passes it.
      const resultFilter =
        result === undefined ? undefined : (compileResult?.(result) ?? (() => false));
      const accepts = runStatusFilter(source.config, resultFilter);
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
          sourceOwner: source.owner,
          accepts: (event) => event.flintprovider === provider,
        },
      ];
    }
  }
}

/** Run-status events come from the runner only; a custom event of the same type does not chain. */
export function runStatusFilter(
  config: RunStatusConfig,
  resultFilter?: (result: unknown) => boolean,
): (event: CloudEvent) => boolean {
  return (event) => {
    if (event.flintprovider !== 'runner') return false;
    const data = event.data as
      | {
          triggerId?: unknown;
          workflow?: unknown;
          status?: unknown;
          error?: { type?: unknown };
          result?: unknown;
        }
      | undefined;
    if (data === null || typeof data !== 'object') return false;
    if (config.triggers && !config.triggers.includes(data.triggerId as string)) return false;
    if (config.workflows && !config.workflows.includes(data.workflow as string)) return false;
    if (config.errorTypes && data.status === 'FAILED') {
      return config.errorTypes.includes(data.error?.type as string);
    }
    if (resultFilter && data.status === 'SUCCEEDED') return resultFilter(data.result);
    return true;
  };
}

/**
 * The owner an event reached by its type belongs to, as far as it can be believed: none for an event
 * Flint's services did not produce (its `flintowner` is a claim anyone can make); else its
 * `flintowner` (custom and run-status events), or for an event that names its source, the owner of
 * that source.
 */
export function eventOwnerOf(
  event: CloudEvent,
  fromFlint: boolean,
  sourceOwner: (id: string) => string | undefined,
): string | undefined {
  if (!fromFlint) return undefined;
  if (event.flintowner !== undefined) return event.flintowner;
  return carriesSourceId(event.flintprovider) ? sourceOwner(event.flintsourceid) : undefined;
}

/**
 * Whether an event may reach the trigger through `listener`. Through a source, only when a Flint
 * service produced it and the source belongs to the trigger's owner. By type, when the event belongs
 * to the trigger's owner, or to an owner the trigger shares the type with (`fromOwners`; `any` also
 * takes events without an owner). So one team's events never start another team's runs.
 */
export function ownerReaches(
  trigger: Pick<StoredTrigger, 'owner' | 'fromOwners'>,
  listener: Pick<Listener, 'sourceOwner'>,
  fromFlint: boolean,
  eventOwner: () => string | undefined,
): boolean {
  if (listener.sourceOwner !== undefined)
    return fromFlint && listener.sourceOwner === trigger.owner;
  const owner = eventOwner();
  if (owner === trigger.owner) return true;
  const shared = trigger.fromOwners;
  if (shared === undefined) return false;
  return shared === 'any' || (owner !== undefined && shared.includes(owner));
}

/**
 * An event of a `flint.` type that Flint's services did not produce is refused before any trigger
 * sees it: no one can fake a run-status event to start a chained trigger.
 */
export function isForgedFlintEvent(event: CloudEvent, fromFlint: boolean): boolean {
  return !fromFlint && isReservedEventType(event.type);
}
