import { type CelEngine, type CompiledTrigger, compileTrigger } from '@flint/conditions';
import {
  type CloudEvent,
  DEFAULT_OWNER,
  type StoredSource,
  StoredSourceSchema,
  type StoredTrigger,
  StoredTriggerSchema,
} from '@flint/contracts';

const UPDATED_AT = '2026-01-01T00:00:00Z';

/** A stored trigger (defaults applied) for specs; version 1 and a local target unless overridden. */
export function storedTrigger(fields: Record<string, unknown>): StoredTrigger {
  return StoredTriggerSchema.parse({
    kind: 'trigger',
    version: 1,
    updatedAt: UPDATED_AT,
    target: { type: 'local', workflow: 'echo' },
    ...fields,
  });
}

export function storedSource(fields: Record<string, unknown>): StoredSource {
  return StoredSourceSchema.parse({ kind: 'source', version: 1, updatedAt: UPDATED_AT, ...fields });
}

export function compiled(engine: CelEngine, fields: Record<string, unknown>): CompiledTrigger {
  const trigger = compileTrigger(engine, storedTrigger(fields));
  if (trigger.kind !== 'compiled') throw new Error(`trigger does not compile: ${trigger.reason}`);
  return trigger;
}

let sequence = 0;

/**
 * A webhook event; accepted at `acceptedAt` (ms) when given. It belongs to owner `default`, like the
 * specs' triggers, so it reaches them by type even when its source is not defined in the spec.
 */
export function webhookEvent(
  overrides: Partial<CloudEvent> = {},
  acceptedAt = Date.parse('2026-01-02T03:00:00Z'),
): CloudEvent {
  sequence++;
  const at = new Date(acceptedAt).toISOString();
  return {
    specversion: '1.0',
    id: `delivery-${sequence}`,
    source: 'flint/webhook/github',
    type: 'com.github.push',
    time: at,
    datacontenttype: 'application/json',
    data: { ref: 'refs/heads/main', n: sequence },
    flintsourceid: 'github',
    flintprovider: 'webhook',
    flintacceptedat: at,
    flintowner: DEFAULT_OWNER,
    ...overrides,
  };
}
