import { createHash } from 'node:crypto';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import {
  type DeadLetterDetail,
  type DeadLetterListQuery,
  type DeadLetterPage,
  type DeadLetterPurgeResult,
  type DeadLetterResendRequest,
  type DeadLetterResendResult,
  type DeadLetterSelection,
  type DeadLetterSummary,
  MAX_RESEND_BATCH,
  type RunRequest,
  RunRequestSchema,
  type TopicNames,
} from '@flint/contracts';
import type {
  DeadLetterFilter,
  DeadLetterRecord,
  DeadLetterRepository,
  RunHistoryRepository,
} from '@flint/store';
import type { DefinitionRepository } from '../definitions/definition-repository';
import type { KafkaPublisher } from '../events/kafka-publisher';

/** Header a re-sent message carries: the dead letter it was re-sent from. */
export const RESENT_FROM_HEADER = 'flint_resent_from';

type Resent = DeadLetterResendResult['resent'][number];
type NotResendable = DeadLetterResendResult['notResendable'][number];

/**
 * The dead letters as the API shows them (from the index the DeadLetterIndexer keeps), and putting
 * them back where they came from once the cause is fixed: a message of the events or runs topic is
 * re-published there as it was. A run request whose run had been claimed (the runner dead-letters a
 * run that failed without starting) cannot start under its own id again, so it is re-sent as a new
 * run, `rerunOf` the failed one, with an id derived from the dead letter, so re-sending it twice
 * starts it once; it takes the target, retry and concurrency of its trigger as the trigger is now,
 * so a fixed trigger is what runs.
 */
export class DeadLetters {
  constructor(
    private readonly deadLetters: DeadLetterRepository,
    private readonly runs: RunHistoryRepository,
    private readonly definitions: DefinitionRepository,
    private readonly publisher: KafkaPublisher,
    private readonly topics: Pick<TopicNames, 'events' | 'runs'>,
  ) {}

  async list(query: DeadLetterListQuery): Promise<DeadLetterPage> {
    const page = await this.deadLetters.list(filterOf(query), {
      ...(query.cursor === undefined ? {} : { after: cursorId(query.cursor) }),
      limit: query.limit,
    });
    return {
      items: page.items.map((letter) => this.summary(letter)),
      ...(page.next === undefined ? {} : { nextCursor: page.next }),
    };
  }

  async get(id: string): Promise<DeadLetterDetail> {
    const letter = await this.found(id);
    const text = letter.value?.toString('utf8');
    const isText = text !== undefined && Buffer.from(text, 'utf8').equals(letter.value as Buffer);
    return {
      ...this.summary(letter),
      headers: letter.headers,
      value:
        letter.value === null ? null : isText ? (text as string) : letter.value.toString('base64'),
      valueEncoding: letter.value === null || isText ? 'utf8' : 'base64',
    };
  }

  async resendOne(id: string): Promise<DeadLetterResendResult> {
    return this.resend([await this.found(id)], false);
  }

  async resendMatching(request: DeadLetterResendRequest): Promise<DeadLetterResendResult> {
    const limit = request.limit ?? MAX_RESEND_BATCH;
    const page = await this.deadLetters.list(filterOf(request), { limit });
    return this.resend(page.items, page.next !== undefined);
  }

  async purgeOne(id: string): Promise<DeadLetterPurgeResult> {
    const purged = await this.deadLetters.purge({ id });
    if (purged === 0) throw deadLetterNotFound(id);
    return { purged };
  }

  async purgeMatching(selection: DeadLetterSelection): Promise<DeadLetterPurgeResult> {
    return { purged: await this.deadLetters.purge(filterOf(selection)) };
  }

  /** Oldest first, so re-sent messages of one source keep their order. */
  private async resend(
    letters: readonly DeadLetterRecord[],
    more: boolean,
  ): Promise<DeadLetterResendResult> {
    const resent: Resent[] = [];
    const notResendable: NotResendable[] = [];
    for (const letter of [...letters].reverse()) {
      const why = this.whyNotResendable(letter);
      if (why !== undefined) {
        notResendable.push({ id: letter.id, why });
        continue;
      }
      resent.push(await this.resendLetter(letter));
      await this.deadLetters.markResent([letter.id]);
    }
    return { resent, notResendable, more };
  }

  private async resendLetter(letter: DeadLetterRecord): Promise<Resent> {
    const headers = { ...letter.headers, [RESENT_FROM_HEADER]: letter.id };
    const request = letter.sourceTopic === this.topics.runs ? runRequestOf(letter) : undefined;
    if (request !== undefined && (await this.runs.get(request.runId)) !== undefined) {
      const again = await this.asNewRun(request, letter);
      await this.publisher.publishRunRequest(again);
      return { id: letter.id, topic: this.topics.runs, runId: again.runId };
    }
    await this.publisher.republish(letter.sourceTopic, { ...letter, headers });
    return { id: letter.id, topic: letter.sourceTopic };
  }

  private async asNewRun(request: RunRequest, letter: DeadLetterRecord): Promise<RunRequest> {
    const stored = await this.definitions.get('trigger', request.triggerId);
    const now = new Date().toISOString();
    return RunRequestSchema.parse({
      ...request,
      ...(stored?.kind === 'trigger'
        ? {
            triggerVersion: stored.version,
            target: stored.target,
            retry: stored.retry,
            concurrency: stored.concurrency,
          }
        : {}),
      runId: resentRunId(request, letter),
      requestedAt: now,
      acceptedAt: now,
      rerunOf: request.runId,
    });
  }

  private whyNotResendable(letter: DeadLetterRecord): string | undefined {
    if (letter.sourceTopic === this.topics.events || letter.sourceTopic === this.topics.runs) {
      return undefined;
    }
    return (
      `it came from ${letter.sourceTopic}${letter.origin ? ` (${letter.origin})` : ''}, not ` +
      `from Flint's events or runs topic; send it again upstream`
    );
  }

  private summary(letter: DeadLetterRecord): DeadLetterSummary {
    return {
      id: letter.id,
      reason: letter.reason,
      ...(letter.error === undefined ? {} : { error: letter.error }),
      sourceTopic: letter.sourceTopic,
      ...(letter.sourcePartition === undefined ? {} : { sourcePartition: letter.sourcePartition }),
      ...(letter.sourceOffset === undefined ? {} : { sourceOffset: letter.sourceOffset }),
      ...(letter.sourceId === undefined ? {} : { sourceId: letter.sourceId }),
      ...(letter.origin === undefined ? {} : { origin: letter.origin }),
      failedAt: letter.failedAt.toISOString(),
      key: letter.key,
      dlq: { partition: letter.dlqPartition, offset: letter.dlqOffset },
      resendable: this.whyNotResendable(letter) === undefined,
      ...(letter.resentAt === undefined ? {} : { resentAt: letter.resentAt.toISOString() }),
      resendCount: letter.resendCount,
    };
  }

  private async found(id: string): Promise<DeadLetterRecord> {
    const letter = await this.deadLetters.get(id);
    if (letter === undefined) throw deadLetterNotFound(id);
    return letter;
  }
}

/** The run request a dead letter of the runs topic holds, if it is one. */
function runRequestOf(letter: DeadLetterRecord): RunRequest | undefined {
  if (letter.value === null) return undefined;
  try {
    const parsed = RunRequestSchema.safeParse(JSON.parse(letter.value.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Derived from the failed run and the dead letter's place on its topic: the same on every re-send. */
function resentRunId(request: RunRequest, letter: DeadLetterRecord): string {
  const of = createHash('sha256').update(request.runId).digest('hex').slice(0, 16);
  return `${request.triggerId}.dlq-${of}-${letter.dlqPartition}-${letter.dlqOffset}`;
}

function filterOf(query: DeadLetterSelection): DeadLetterFilter {
  return {
    ...(query.reason === undefined ? {} : { reason: query.reason }),
    ...(query.sourceTopic === undefined ? {} : { sourceTopic: query.sourceTopic }),
    ...(query.sourceId === undefined ? {} : { sourceId: query.sourceId }),
    ...(query.since === undefined ? {} : { since: new Date(query.since) }),
    ...(query.until === undefined ? {} : { until: new Date(query.until) }),
    ...(query.resent === undefined ? {} : { resent: query.resent }),
  };
}

/** The cursor is the last id of the previous page; anything else is a client's mistake. */
function cursorId(cursor: string): string {
  if (/^[1-9]\d{0,17}$/.test(cursor)) return cursor;
  throw new BadRequestException({
    error: {
      code: 'invalid_request',
      message: 'cursor is not one this API returned',
      issues: [{ path: 'cursor', message: 'pass the nextCursor of the previous page unchanged' }],
    },
  });
}

function deadLetterNotFound(id: string): NotFoundException {
  return new NotFoundException({
    error: { code: 'not_found', message: `dead letter ${id} not found` },
  });
}
