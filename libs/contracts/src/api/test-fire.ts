import { z } from 'zod';
import { ProviderSchema } from '../cloud-event';
import { DecisionSchema } from '../history/decision';
import { IsoDateTimeSchema, TraceparentSchema } from '../primitives';

/**
 * A sample event for a test-fire. Only what matters to the trigger need be given: `id`, `time` and
 * `specversion` get defaults, and a missing type, source id or provider is taken from where the
 * trigger listens, so the event reaches the trigger unless the sample says otherwise.
 */
export const TestEventSchema = z
  .object({
    specversion: z.literal('1.0').optional(),
    id: z.string().min(1).max(512).optional(),
    source: z.string().min(1).max(2048).optional(),
    type: z.string().min(1).max(512).optional(),
    subject: z.string().max(2048).optional(),
    time: IsoDateTimeSchema.optional(),
    datacontenttype: z.string().max(256).optional(),
    dataschema: z.string().max(2048).optional(),
    data: z.unknown().optional(),
    flintsourceid: z.string().min(1).max(253).optional(),
    flintprovider: ProviderSchema.optional(),
    flintacceptedat: IsoDateTimeSchema.optional(),
    flintowner: z.string().min(1).max(253).optional(),
    traceparent: TraceparentSchema.optional(),
  })
  .strict();
export type TestEvent = z.infer<typeof TestEventSchema>;

const StartSchema = z
  .boolean()
  .optional()
  .describe('Start the run for real when the event matches (default false: nothing is started).');

/** `POST /api/triggers/{id}/test`. */
export const TestFireRequestSchema = z
  .object({ event: TestEventSchema, start: StartSchema })
  .strict();
export type TestFireRequest = z.infer<typeof TestFireRequestSchema>;

/** `POST /api/triggers/test`: an unsaved trigger definition, validated as `PUT` would. */
export const DraftTestFireRequestSchema = z
  .object({
    trigger: z.unknown().describe('A trigger definition, as in a definition file.'),
    event: TestEventSchema,
    start: StartSchema,
  })
  .strict();
export type DraftTestFireRequest = z.infer<typeof DraftTestFireRequestSchema>;

export const TEST_FIRE_REASONS = [
  'not_listening',
  'condition_false',
  'condition_error',
  'input_error',
  /** One of the trigger's `cancelOn` events: it would cancel runs rather than start one. */
  'cancels',
] as const;
export type TestFireReasonCode = (typeof TEST_FIRE_REASONS)[number];

/** Why a matching event's run would not start at once, and until when. */
export const TestFireDeferralSchema = z.object({
  by: z.enum(['debounce', 'expect']).describe('The mechanism that holds the run.'),
  until: z.string().describe('When the run would start if nothing else happens (ISO time).'),
  message: z.string().describe('The same in words, e.g. "would be debounced until …".'),
});
export type TestFireDeferral = z.infer<typeof TestFireDeferralSchema>;

export const TestFireResultSchema = z.object({
  matched: z.boolean().describe('Whether the event would fire the trigger.'),
  reason: z
    .object({ code: z.enum(TEST_FIRE_REASONS), message: z.string() })
    .optional()
    .describe(
      'Why not: the trigger does not listen to the event’s source or type, its match or ' +
        'condition is false, an expression failed on the event, the input cannot be mapped, or ' +
        'the event is one of its `cancelOn` events and would cancel its runs instead.',
    ),
  dedupeKey: z.string().optional().describe('The key the trigger dedupes this event by.'),
  input: z.unknown().optional().describe('The input the workflow would be started with.'),
  runId: z.string().optional().describe('The run id; with `start`, the run that was requested.'),
  deferred: TestFireDeferralSchema.optional().describe(
    'The run would wait (a debounce, or an absence trigger’s window); with `start` it is ' +
      'requested at once all the same.',
  ),
  decision: DecisionSchema.describe(
    'The decision record the evaluator would keep in the event archive for this event and ' +
      'trigger: fired, or why not (the `match` field that differed, the false part of the ' +
      'condition with its operands’ values). It has no memory of earlier events, so it never says ' +
      'deduplicated, waiting or rate-limited.',
  ),
  started: z.boolean().describe('True when a run was requested (`start` and a match).'),
  event: z
    .record(z.string(), z.unknown())
    .describe('The sample event with its defaults filled in.'),
});
export type TestFireResult = z.infer<typeof TestFireResultSchema>;
