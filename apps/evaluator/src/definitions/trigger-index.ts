import type { CloudEvent, InlineSource, StoredTrigger } from '@flint/contracts';
import {
  eventOwnerOf,
  type IndexedTrigger,
  type Listener,
  listenersOf,
  ownerReaches,
  type ResultFilterCompiler,
  sourceKey,
  type TriggerListeners,
  typeKey,
} from '@flint/conditions';

/**
 * A trigger an event reaches, and which of its sources or event types it reached it through; `cancels`
 * when it reached the trigger's `cancelOn` (then `members` may be empty).
 */
export interface Candidate {
  trigger: IndexedTrigger;
  members: string[];
  cancels: boolean;
}

interface Entry {
  trigger: IndexedTrigger;
  listeners: TriggerListeners;
}

/** The listeners filed under one key. */
interface Filed {
  /** Trigger id → its listeners here, in filing order: what filing and unfiling change. */
  byTrigger: Map<string, Listener[]>;
  /**
   * The same with each listener's trigger, in one array: what an event's lookup walks. Built on
   * the first lookup after a change. With many triggers each event reaches a different one, whose
   * memory is rarely in the CPU's caches: every object less on the way is a cache miss less.
   */
  lookup: { trigger: IndexedTrigger; listener: Listener }[] | undefined;
}

/**
 * Every enabled trigger, filed by the keys an event can be looked up by (its source id and its type),
 * so finding an event's triggers costs two map lookups however many triggers exist. Sources and
 * triggers may arrive in any order: a trigger naming a source that is not defined yet is re-filed
 * when the source arrives.
 */
export class TriggerIndex {
  private readonly sources = new Map<string, InlineSource>();
  private readonly entries = new Map<string, Entry>();
  private readonly byKey = new Map<string, Filed>();
  private readonly referencedBy = new Map<string, Set<string>>();
  /** Sources declared inline in a trigger, by id. */
  private readonly inlineSources = new Map<string, InlineSource>();

  constructor(
    private readonly compile: (definition: StoredTrigger) => IndexedTrigger,
    /** Compiles run-status sources' result filters; without it, sources with one take nothing. */
    private readonly compileResult?: ResultFilterCompiler,
  ) {}

  /** Adds, replaces or (with undefined) removes a source definition. */
  setSource(id: string, source: InlineSource | undefined): void {
    if (source === undefined) this.sources.delete(id);
    else this.sources.set(id, source);
    // A copy: filing a trigger again takes it out of this set and puts it back.
    for (const triggerId of [...(this.referencedBy.get(id) ?? [])]) {
      const entry = this.entries.get(triggerId);
      if (entry) this.file(entry.trigger);
    }
  }

  /**
   * Adds, replaces or (with undefined) removes a trigger; a disabled trigger is removed. Returns the
   * trigger as indexed. An unchanged version is not compiled again.
   */
  setTrigger(id: string, definition: StoredTrigger | undefined): IndexedTrigger | undefined {
    if (definition === undefined || !definition.enabled) {
      this.unfile(id);
      return undefined;
    }
    const existing = this.entries.get(id)?.trigger;
    const trigger =
      existing && existing.version === definition.version ? existing : this.compile(definition);
    this.file(trigger);
    return trigger;
  }

  get(id: string): IndexedTrigger | undefined {
    return this.entries.get(id)?.trigger;
  }

  /** The source ids and event types of a trigger; a compound match needs an event from each. */
  membersOf(id: string): readonly string[] {
    return this.entries.get(id)?.listeners.members ?? [];
  }

  /** Sources the trigger names that are not defined. */
  unresolvedSourcesOf(id: string): readonly string[] {
    return this.entries.get(id)?.listeners.unresolved ?? [];
  }

  get size(): number {
    return this.entries.size;
  }

  triggers(): IndexedTrigger[] {
    return [...this.entries.values()].map((entry) => entry.trigger);
  }

  /**
   * The triggers an event reaches, each once, with the members it reached them through. Only
   * triggers its owner may reach count (`ownerReaches`); `fromFlint` says whether a Flint service
   * produced the event, without which it has no owner to believe.
   */
  candidates(event: CloudEvent, fromFlint = true): Candidate[] {
    const found = new Map<string, Candidate>();
    let owner: { of: string | undefined } | undefined;
    const eventOwner = () =>
      (owner ??= { of: eventOwnerOf(event, fromFlint, (id) => this.sourceOwner(id)) }).of;
    for (const key of [sourceKey(event.flintsourceid), typeKey(event.type)]) {
      const filed = this.byKey.get(key);
      if (filed === undefined) continue;
      for (const { trigger, listener } of (filed.lookup ??= this.lookupOf(filed))) {
        if (listener.accepts && !listener.accepts(event)) continue;
        if (!ownerReaches(trigger.definition, listener, fromFlint, eventOwner)) continue;
        let candidate = found.get(trigger.id);
        if (!candidate) {
          candidate = { trigger, members: [], cancels: false };
          found.set(trigger.id, candidate);
        }
        if (listener.cancels) candidate.cancels = true;
        else if (!candidate.members.includes(listener.member)) {
          candidate.members.push(listener.member);
        }
      }
    }
    return [...found.values()];
  }

  /** The owner an event belongs to, as the owner checks of `candidates` see it. */
  ownerOf(event: CloudEvent, fromFlint: boolean): string | undefined {
    return eventOwnerOf(event, fromFlint, (id) => this.sourceOwner(id));
  }

  private lookupOf(filed: Filed): NonNullable<Filed['lookup']> {
    const lookup: NonNullable<Filed['lookup']> = [];
    for (const [triggerId, listeners] of filed.byTrigger) {
      const trigger = (this.entries.get(triggerId) as Entry).trigger;
      for (const listener of listeners) lookup.push({ trigger, listener });
    }
    return lookup;
  }

  /** The owner of a source, standalone or declared inline in a trigger. */
  private sourceOwner(id: string): string | undefined {
    return this.sources.get(id)?.owner ?? this.inlineSources.get(id)?.owner;
  }

  private file(trigger: IndexedTrigger): void {
    this.unfile(trigger.id);
    const listeners = listenersOf(
      trigger.definition,
      (id) => this.sources.get(id),
      this.compileResult,
    );
    this.entries.set(trigger.id, { trigger, listeners });
    for (const source of inlineSourcesOf(trigger)) this.inlineSources.set(source.id, source);
    for (const listener of listeners.listeners) {
      let filed = this.byKey.get(listener.key);
      if (!filed) {
        filed = { byTrigger: new Map(), lookup: undefined };
        this.byKey.set(listener.key, filed);
      }
      const list = filed.byTrigger.get(trigger.id) ?? [];
      list.push(listener);
      filed.byTrigger.set(trigger.id, list);
      filed.lookup = undefined;
    }
    for (const sourceId of listeners.sourceRefs) {
      let triggers = this.referencedBy.get(sourceId);
      if (!triggers) {
        triggers = new Set();
        this.referencedBy.set(sourceId, triggers);
      }
      triggers.add(trigger.id);
    }
  }

  private unfile(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    for (const source of inlineSourcesOf(entry.trigger)) {
      if (this.inlineSources.get(source.id) === source) this.inlineSources.delete(source.id);
    }
    for (const listener of entry.listeners.listeners) {
      const filed = this.byKey.get(listener.key);
      if (!filed) continue;
      filed.byTrigger.delete(id);
      filed.lookup = undefined;
      if (filed.byTrigger.size === 0) this.byKey.delete(listener.key);
    }
    for (const sourceId of entry.listeners.sourceRefs) {
      const triggers = this.referencedBy.get(sourceId);
      triggers?.delete(id);
      if (triggers?.size === 0) this.referencedBy.delete(sourceId);
    }
  }
}

function inlineSourcesOf(trigger: IndexedTrigger): InlineSource[] {
  return (trigger.definition.sources ?? []).filter(
    (source): source is InlineSource => typeof source !== 'string',
  );
}
