import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException } from '@nestjs/common';
import {
  type BackfillRequest,
  type BackfillResponse,
  type CronConfig,
  MAX_BACKFILL_SLOTS,
  type StoredSource,
  type TriggerNowResponse,
} from '@flint/contracts';
import { buildCloudEvent, parseSchedule, tickEvent } from '@flint/provider-sdk';
import type { CronSlotRepository } from '@flint/store';
import { assertCanChange, type Principal } from '../auth/principal';
import type { DefinitionRepository } from '../definitions/definition-repository';
import type { KafkaPublisher } from '../events/kafka-publisher';
import { visibleSource } from '../runs/visible-definition';

/** Who the ledger says fired a backfilled slot. */
const BACKFILL_HOLDER = 'api-backfill';

/**
 * Firing a cron source by hand: one tick now (`trigger-now`), or the slots of a past range
 * (`backfill`). The events are the cron service's own (provider `cron`, the source's id, `data` as
 * the schedule fires it) marked `manual`, published by the API. A backfilled slot's event has the id
 * the schedule gives that slot, and the slot is recorded in the slot ledger, so a slot the schedule
 * (or an earlier backfill) fired is not fired again. Needs an editor key of the source's owner.
 */
export class ScheduleControl {
  constructor(
    private readonly definitions: DefinitionRepository,
    private readonly slots: CronSlotRepository,
    private readonly publisher: KafkaPublisher,
  ) {}

  async triggerNow(principal: Principal, sourceId: string): Promise<TriggerNowResponse> {
    const { config } = await this.cronSource(principal, sourceId);
    const now = Date.now();
    const eventId = `${sourceId}/manual/${randomUUID()}`;
    const tick = { scheduled: now, actual: now, missed: false, manual: true };
    await this.publish(sourceId, config, tick, eventId);
    return { sourceId, eventId, firedAt: new Date(now).toISOString() };
  }

  async backfill(
    principal: Principal,
    sourceId: string,
    range: BackfillRequest,
  ): Promise<BackfillResponse> {
    const { config } = await this.cronSource(principal, sourceId);
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    if (to > Date.now()) {
      throw invalid('to', 'must not be in the future: the schedule fires what is still to come');
    }
    const schedule = parseSchedule(config.schedule, config.timezone);
    // The schedule's slots are after `after`: one millisecond before `from` includes a slot at it.
    const slots = schedule.slotsBetween(from - 1, to, MAX_BACKFILL_SLOTS + 1);
    if (slots.length > MAX_BACKFILL_SLOTS) {
      throw invalid(
        'to',
        `the range holds more than ${MAX_BACKFILL_SLOTS} slots of "${config.schedule}"; backfill it in parts`,
      );
    }
    const taken = await this.slots.taken(sourceId, slots);
    const fired: BackfillResponse['fired'] = [];
    try {
      for (const slot of slots.filter((s) => !taken.has(s))) {
        const tick = { scheduled: slot, actual: Date.now(), missed: true, manual: true };
        fired.push({
          slot: new Date(slot).toISOString(),
          eventId: await this.publish(sourceId, config, tick),
        });
      }
    } finally {
      // What Kafka acknowledged is recorded even when a later publish failed.
      await this.slots.recordFired(
        sourceId,
        fired.map((f) => Date.parse(f.slot)),
        BACKFILL_HOLDER,
      );
    }
    return {
      sourceId,
      fired,
      alreadyFired: slots.filter((s) => taken.has(s)).map((s) => new Date(s).toISOString()),
    };
  }

  private async publish(
    sourceId: string,
    config: CronConfig,
    tick: Parameters<typeof tickEvent>[2],
    eventId?: string,
  ): Promise<string> {
    const event = buildCloudEvent(tickEvent(sourceId, config, tick, eventId), {
      sourceId,
      provider: 'cron',
      acceptedAt: new Date(),
    });
    await this.publisher.publishEvent(event);
    return event.id;
  }

  private async cronSource(
    principal: Principal,
    sourceId: string,
  ): Promise<Extract<StoredSource, { provider: 'cron' }>> {
    const source = await visibleSource(this.definitions, principal, sourceId);
    assertCanChange(principal, source.owner, `source ${sourceId}`);
    if (source.provider !== 'cron') {
      throw new ConflictException({
        error: {
          code: 'not_a_cron_source',
          message: `source ${sourceId} is a ${source.provider} source; only cron sources have slots to fire`,
        },
      });
    }
    if (!source.enabled) {
      throw new ConflictException({
        error: {
          code: 'source_disabled',
          message: `source ${sourceId} is disabled; enable it before firing it`,
        },
      });
    }
    return source;
  }
}

function invalid(path: string, message: string): BadRequestException {
  return new BadRequestException({
    error: { code: 'invalid_request', message: 'invalid request', issues: [{ path, message }] },
  });
}
