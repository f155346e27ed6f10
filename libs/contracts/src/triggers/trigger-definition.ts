import { z } from 'zod';
import { DurationSchema, parseDuration } from '../duration';
import {
  CelExpressionSchema,
  EventTypeSchema,
  IdSchema,
  OwnerSchema,
  VersionSchema,
} from '../primitives';
import {
  DEFAULT_OWNER,
  InlineSourceSchema,
  type SourceDefinition,
  storedFields,
} from '../sources/source-definition';
import { hasNoDuplicates, strictObject } from '../strict';
import { RetryPolicySchema } from './retry-policy';
import { TargetSchema } from './target';
import {
  BatchSchema,
  CancelOnSchema,
  ConcurrencySchema,
  DebounceSchema,
  describeLogic,
  ExpectSchema,
  isCompoundLogic,
  RateLimitSchema,
  DedupeSchema,
  InputMappingSchema,
  MatchSchema,
  PrioritySchema,
  type TriggerLogic,
  TriggerLogicSchema,
} from './trigger-options';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An inline source once its id and owner are filled in from its trigger. */
export type InlineSource = DistributiveOmit<SourceDefinition, 'kind'>;

/** The id of the `index`th inline source of a trigger that does not name it. */
export function inlineSourceId(triggerId: string, index: number): string {
  return index === 0 ? `${triggerId}-source` : `${triggerId}-source-${index + 1}`;
}

const triggerFields = {
  kind: z.literal('trigger'),
  id: IdSchema,
  owner: OwnerSchema.default(DEFAULT_OWNER),
  enabled: z.boolean().default(true),
  description: z.string().max(1024, 'must be at most 1024 characters').optional(),
  version: VersionSchema.optional(),
  /** Source ids, or sources declared inline when no other trigger needs them. */
  sources: z
    .array(
      z.union([IdSchema, InlineSourceSchema], {
        error: 'must be a source id or an inline source definition',
      }),
    )
    .min(1, 'must list at least one source; leave it out to listen by eventTypes only')
    .optional(),
  /** Listen by CloudEvent type alone (custom events, run-status events). */
  eventTypes: z
    .array(EventTypeSchema)
    .min(1, 'must list at least one event type; leave it out to listen to sources only')
    .refine(hasNoDuplicates, 'must not repeat an event type')
    .optional(),
  /**
   * Owners whose events may reach the trigger by type (its `eventTypes`, `event` and `run-status`
   * sources) besides its own: a list, or `any` for every owner and for events without one. Only an
   * admin may set it.
   */
  fromOwners: z
    .union(
      [
        z.literal('any'),
        z
          .array(OwnerSchema)
          .min(1, 'must list at least one owner')
          .refine(hasNoDuplicates, 'must not repeat an owner'),
      ],
      { error: 'must be "any" or a list of owners' },
    )
    .optional(),
  condition: z
    .string()
    .max(4096, 'must be at most 4096 characters')
    .regex(/\S/, 'must be a non-empty CEL expression; leave it out to match every event')
    .optional()
    .describe('CEL expression over `event`; the trigger fires only when it is true.'),
  match: MatchSchema.optional(),
  /** `all` makes a compound trigger: one run when each source and event type has a matching event. */
  logic: TriggerLogicSchema.optional(),
  /** With `logic: all`, how long a partial match waits for the rest, counted from its first event. */
  within: DurationSchema.optional(),
  /** With `logic: all`, a CEL key over `event`; only events with equal keys complete a match together. */
  correlate: CelExpressionSchema.optional(),
  dedupe: DedupeSchema.optional(),
  batch: BatchSchema.optional(),
  /** Waits for a quiet spell per key, then starts one run with the last or all of the events. */
  debounce: DebounceSchema.optional(),
  /** At most `limit` runs per key in any sliding `period`; excess events dropped or delayed. */
  rateLimit: RateLimitSchema.optional(),
  /** Runs when an expected event does not come (absence, or a source going silent). */
  expect: ExpectSchema.optional(),
  concurrency: ConcurrencySchema.optional(),
  /** Which runs of a concurrency key start first under a backlog; aged so none waits forever. */
  priority: PrioritySchema.optional(),
  /** Events that cancel the trigger's queued or running runs (of the same `match` key). */
  cancelOn: CancelOnSchema.optional(),
  target: TargetSchema,
  input: InputMappingSchema.optional(),
  retry: RetryPolicySchema.prefault({}),
};

interface ParsedTrigger {
  id: string;
  owner: string;
  sources?: Array<string | z.output<typeof InlineSourceSchema>>;
  eventTypes?: string[];
  logic?: TriggerLogic;
  within?: string;
  correlate?: string;
  batch?: unknown;
  debounce?: { period: string; maxWait?: string };
  rateLimit?: unknown;
  expect?: { after?: string; missing: string; within?: string; for?: string };
}

function checkTrigger(trigger: ParsedTrigger, ctx: z.RefinementCtx): void {
  if (trigger.sources === undefined && trigger.eventTypes === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['sources'],
      message: 'a trigger needs "sources", "eventTypes" or both to know which events it listens to',
    });
  }
  const seen = new Set<string>();
  trigger.sources?.forEach((source, index) => {
    const id =
      typeof source === 'string' ? source : (source.id ?? inlineSourceId(trigger.id, index));
    if (seen.has(id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sources', index],
        message: `source "${id}" is listed twice`,
      });
    }
    seen.add(id);
  });
  checkCompound(trigger, ctx);
  checkDebounce(trigger, ctx);
  checkExpect(trigger, ctx);
  if (trigger.rateLimit !== undefined) {
    for (const collecting of ['batch', 'debounce'] as const) {
      if (trigger[collecting] === undefined) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['rateLimit'],
        message: `cannot be combined with ${collecting} yet; limit the runs of single events or compound matches`,
      });
    }
  }
}

/** `logic: all` needs something to wait for and a bound on how long; its options need it. */
function checkCompound(trigger: ParsedTrigger, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });
  const { logic } = trigger;
  if (logic === undefined || !isCompoundLogic(logic)) {
    const onlyForAll = 'only applies when logic is "all", "sequence" or { atLeast: k }';
    if (trigger.within !== undefined) issue('within', onlyForAll);
    if (trigger.correlate !== undefined) issue('correlate', onlyForAll);
    return;
  }
  const name = describeLogic(logic);
  const members = (trigger.sources?.length ?? 0) + (trigger.eventTypes?.length ?? 0);
  if (members < 2) {
    issue('logic', `${name} needs at least two sources or event types to wait for`);
  } else if (typeof logic === 'object' && logic.atLeast > members) {
    issue('logic', `atLeast must be at most the number of sources and event types (${members})`);
  }
  if (trigger.within === undefined) {
    issue('within', `required when logic is ${name}: how long a partial match waits, like "1h"`);
  }
  for (const other of ['batch', 'debounce'] as const) {
    if (trigger[other] !== undefined) {
      issue(other, `cannot be combined with logic ${name}; a compound match starts one run`);
    }
  }
}

/** What an absence trigger waits for must be among what it listens to, with the right durations. */
function checkExpect(trigger: ParsedTrigger, ctx: z.RefinementCtx): void {
  const expected = trigger.expect;
  if (expected === undefined) return;
  const issue = (path: PropertyKey[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const members = [
    ...(trigger.sources ?? []).map((source, index) =>
      typeof source === 'string' ? source : (source.id ?? inlineSourceId(trigger.id, index)),
    ),
    ...(trigger.eventTypes ?? []),
  ];
  const known = `one of the trigger's sources or event types: ${members.join(', ')}`;
  for (const part of ['after', 'missing'] as const) {
    const member = expected[part];
    if (member !== undefined && !members.includes(member)) {
      issue(['expect', part], `must be ${known}`);
    }
  }
  if (expected.after !== undefined) {
    if (expected.after === expected.missing) {
      issue(['expect', 'missing'], 'must differ from "after"');
    }
    if (expected.within === undefined) {
      issue(['expect', 'within'], 'required with "after": how long the missing event may take');
    }
    if (expected.for !== undefined) {
      issue(['expect', 'for'], 'only applies without "after"; use "within"');
    }
  } else {
    if (expected.for === undefined) {
      issue(['expect', 'for'], 'required without "after": how long a silence fires the trigger');
    }
    if (expected.within !== undefined) {
      issue(['expect', 'within'], 'only applies with "after"; use "for"');
    }
  }
  for (const other of ['batch', 'debounce', 'rateLimit'] as const) {
    if (trigger[other] !== undefined) {
      issue([other], 'cannot be combined with expect, which starts a run when events do not come');
    }
  }
  if (isCompoundLogic(trigger.logic)) {
    issue(['logic'], 'cannot be combined with expect, which starts a run when events do not come');
  }
}

/** A debounce collects events itself, so batching them too would say two things at once. */
function checkDebounce(trigger: ParsedTrigger, ctx: z.RefinementCtx): void {
  const { debounce } = trigger;
  if (debounce === undefined) return;
  if (trigger.batch !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['batch'],
      message: 'cannot be combined with debounce; use debounce.deliver: all to get every event',
    });
  }
  if (
    debounce.maxWait !== undefined &&
    parseDuration(debounce.maxWait) < parseDuration(debounce.period)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['debounce', 'maxWait'],
      message: `must be at least the period (${debounce.period})`,
    });
  }
}

function resolveInlineSources<T extends ParsedTrigger>(
  trigger: T,
): Omit<T, 'sources'> & { sources?: Array<string | InlineSource> } {
  const { sources, ...rest } = trigger;
  if (sources === undefined) return rest;
  return {
    ...rest,
    sources: sources.map((source, index) =>
      typeof source === 'string'
        ? source
        : {
            ...source,
            id: source.id ?? inlineSourceId(trigger.id, index),
            owner: source.owner ?? trigger.owner,
          },
    ),
  };
}

export const TriggerDefinitionSchema = strictObject(triggerFields)
  .superRefine(checkTrigger)
  .transform(resolveInlineSources)
  .describe('A Flint trigger: which events start which workflow with which input.');
export type TriggerDefinition = z.infer<typeof TriggerDefinitionSchema>;
export type TriggerDefinitionInput = z.input<typeof TriggerDefinitionSchema>;

export const StoredTriggerSchema = strictObject({ ...triggerFields, ...storedFields })
  .superRefine(checkTrigger)
  .transform(resolveInlineSources);
export type StoredTrigger = z.infer<typeof StoredTriggerSchema>;

/** The inline sources of a trigger as full source definitions, for storing and serving them. */
export function inlineSourceDefinitions(trigger: TriggerDefinition): SourceDefinition[] {
  return (trigger.sources ?? [])
    .filter((source): source is InlineSource => typeof source !== 'string')
    .map((source): SourceDefinition => ({ kind: 'source', ...source }));
}
