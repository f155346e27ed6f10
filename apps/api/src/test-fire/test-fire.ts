import { BadRequestException, ConflictException } from '@nestjs/common';
import {
  DEFAULT_OWNER,
  type DraftTestFireRequest,
  type InlineSource,
  type StoredTrigger,
  StoredTriggerSchema,
  type TestFireRequest,
  type TestFireResult,
  type TriggerValidation,
} from '@flint/contracts';
import { newTraceparent } from '@flint/provider-sdk';
import { inSpan, traceparentOf } from '@flint/telemetry';
import type { DefinitionRepository } from '../definitions/definition-repository';
import { assertCanChange, assertCanSee, ownerScope, type Principal } from '../auth/principal';
import { InvalidInputError, type DefinitionValidator } from '../definitions/definition-validator';
import type { KafkaPublisher } from '../events/kafka-publisher';
import { visibleTrigger } from '../runs/visible-definition';
import { InvalidTestEventError, type TriggerTester } from './trigger-tester';

/**
 * `POST /api/triggers/{id}/test` and `POST /api/triggers/test`: a stored trigger or an unsaved draft
 * against a sample event. Seeing the trigger is enough to test it; `start` needs the right to change
 * it, and publishes the run request to the runs topic, where the runner starts it like any other.
 */
export class TestFire {
  constructor(
    private readonly tester: TriggerTester,
    private readonly definitions: DefinitionRepository,
    private readonly validator: DefinitionValidator,
    private readonly publisher: KafkaPublisher,
  ) {}

  async saved(principal: Principal, id: string, body: TestFireRequest): Promise<TestFireResult> {
    const trigger = await visibleTrigger(this.definitions, principal, id);
    if (body.start) {
      assertCanChange(principal, trigger.owner, `trigger ${id}`);
      if (!trigger.enabled) {
        throw new ConflictException({
          error: {
            code: 'trigger_disabled',
            message: `trigger ${id} is disabled; enable it before starting runs of it`,
          },
        });
      }
    }
    return this.run(trigger, body.event, body.start ?? false);
  }

  async draft(principal: Principal, body: DraftTestFireRequest): Promise<TestFireResult> {
    const trigger = await this.validateDraft(principal, body.trigger, 'trigger');
    assertCanSee(principal, trigger.owner, `trigger ${trigger.id}`);
    if (body.start) assertCanChange(principal, trigger.owner, `trigger ${trigger.id}`);
    return this.run(trigger, body.event, body.start ?? false);
  }

  private run(
    trigger: StoredTrigger,
    sample: TestFireRequest['event'],
    start: boolean,
  ): Promise<TestFireResult> {
    return inSpan('flint-api', 'flint.trigger test', {}, async (span) => {
      const sources = await this.sourcesOf(trigger);
      let outcome;
      try {
        outcome = this.tester.test(
          trigger,
          sources,
          sample,
          traceparentOf(span) ?? newTraceparent(),
        );
      } catch (err) {
        if (!(err instanceof InvalidTestEventError)) throw err;
        throw new BadRequestException({
          error: {
            code: 'invalid_request',
            message: err.message,
            issues: err.issues.map((issue) => ({
              path: issue.path ? `event.${issue.path}` : 'event',
              message: issue.message,
            })),
          },
        });
      }
      if (!outcome.matched) {
        return {
          matched: false,
          reason: outcome.reason,
          decision: outcome.decision,
          started: false,
          event: outcome.event,
        };
      }
      const { request } = outcome;
      if (start) await this.publisher.publishRunRequest(request);
      return {
        matched: true,
        dedupeKey: outcome.dedupeKey,
        input: request.input,
        runId: request.runId,
        ...(outcome.deferred && { deferred: outcome.deferred }),
        decision: outcome.decision,
        started: start,
        event: outcome.event,
      };
    });
  }

  /** The sources the trigger names by id, as they are stored (a missing one is simply absent). */
  async sourcesOf(trigger: StoredTrigger): Promise<Map<string, InlineSource>> {
    const sources = new Map<string, InlineSource>();
    for (const reference of trigger.sources ?? []) {
      if (typeof reference !== 'string') continue;
      const source = await this.definitions.get('source', reference);
      if (source?.kind === 'source') sources.set(reference, source);
    }
    return sources;
  }

  /**
   * `POST /api/triggers/validate`: what saving the draft would answer, as a verdict rather than an
   * error, so an editor can check it on every keystroke. A scoped key may only draft for its owner.
   */
  async validate(principal: Principal, raw: unknown): Promise<TriggerValidation> {
    let trigger: StoredTrigger;
    try {
      trigger = await this.validateDraft(principal, raw, '');
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      return { valid: false, issues: err.issues };
    }
    const scope = ownerScope(principal);
    if (scope !== undefined && trigger.owner !== scope) {
      return {
        valid: false,
        issues: [{ path: 'owner', message: `this key may only use owner "${scope}"` }],
      };
    }
    return { valid: true, issues: [] };
  }

  /**
   * A draft trigger checked as saving it would be (schema, CEL with positions, sources), paths under
   * `prefix`; the backtest takes its drafts through here too.
   */
  async validateDraft(principal: Principal, raw: unknown, prefix: string): Promise<StoredTrigger> {
    const scope = ownerScope(principal);
    const withOwner =
      scope !== undefined && isObject(raw) && raw.owner === undefined
        ? { ...raw, owner: scope }
        : raw;
    const withKind =
      isObject(withOwner) && withOwner.kind === undefined
        ? { ...withOwner, kind: 'trigger' }
        : withOwner;
    let definition;
    try {
      definition = await this.validator.validateOne(withKind);
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      // A draft is never applied: say what is wrong with it, not that nothing was applied.
      throw new InvalidInputError(
        err.code,
        `${err.issues.length} problem(s) in the draft trigger`,
        err.issues.map((issue) => ({
          ...issue,
          path: [prefix, issue.path].filter(Boolean).join('.'),
        })),
      );
    }
    if (definition.kind !== 'trigger') {
      throw new InvalidInputError('invalid_request', 'the draft must be a trigger', [
        { path: [prefix, 'kind'].filter(Boolean).join('.'), message: 'must be "trigger"' },
      ]);
    }
    return StoredTriggerSchema.parse({
      ...definition,
      owner: definition.owner ?? DEFAULT_OWNER,
      version: 1,
      updatedAt: new Date().toISOString(),
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
