import { CLOUD_EVENT_CORE_ATTRIBUTES as CORE_ATTRIBUTES, type CloudEvent } from '@flint/contracts';
import { toCel } from './json-value';

/**
 * The `event` an expression or `match` sees: the CloudEvent's attributes as they are on the wire
 * (`event.type`, `event.data.ref`, `event.flintprovider`) plus `event.extensions`, a map of just the
 * extension attributes.
 */
export function eventView(event: CloudEvent): Record<string, unknown> {
  const extensions: Record<string, unknown> = {};
  const view: Record<string, unknown> = {};
  const attributes = event as unknown as Record<string, unknown>;
  // Built for every event a trigger listens to: keys and lookups, no array of entries.
  for (const name of Object.keys(attributes)) {
    const value = attributes[name];
    if (value === undefined) continue;
    view[name] = value;
    if (!CORE_ATTRIBUTES.has(name)) extensions[name] = value;
  }
  view.extensions = extensions;
  return view;
}

/**
 * One event as every trigger evaluates it. The plain view serves `match`; the CEL form (whole numbers
 * as ints) is built on first use and then shared by all triggers that look at the event.
 */
export class EventContext {
  readonly view: Record<string, unknown>;
  private celValue: unknown;

  constructor(readonly event: CloudEvent) {
    this.view = eventView(event);
  }

  get cel(): unknown {
    this.celValue ??= toCel(this.view);
    return this.celValue;
  }
}
