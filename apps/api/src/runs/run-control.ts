import { randomUUID } from 'node:crypto';
import {
  ConflictException,
  HttpException,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type {
  CancelRunResponse,
  CompleteRunRequest,
  CompleteRunResponse,
  RerunRequest,
  RerunResponse,
  RunRequest,
} from '@flint/contracts';
import type { RunStatusMessages } from '@flint/service-kit';
import {
  callbackTokenHash,
  type RunControlRepository,
  type RunHistoryRepository,
  type RunRecord,
} from '@flint/store';
import { assertCanChange, assertCanSee, type Principal } from '../auth/principal';
import type { KafkaPublisher } from '../events/kafka-publisher';

/**
 * Run control: cancel a run, re-run one. Both need an editor key of the run's owner (an admin's for
 * any owner); a run of another owner is reported missing to a scoped key, as in the history.
 */
export class RunControl {
  constructor(
    private readonly runs: RunHistoryRepository,
    private readonly control: RunControlRepository,
    private readonly publisher: KafkaPublisher,
    private readonly messages: RunStatusMessages,
  ) {}

  /**
   * A `completion: callback` target's workflow reports its outcome with the token its start carried:
   * the run ends SUCCEEDED (with the result) or FAILED (with the error and its type), and its
   * run-status event goes out with the transition. The token works once; a wrong or used token is a
   * 401 that says no more.
   */
  async complete(
    runId: string,
    token: string,
    body: CompleteRunRequest,
  ): Promise<CompleteRunResponse> {
    const reported = body.error === undefined ? { result: body.result } : { error: body.error };
    const completion = await this.control.complete(
      runId,
      callbackTokenHash(token),
      reported,
      (run) => [
        run.error === undefined
          ? this.messages.status(run, 'SUCCEEDED', { attempt: run.attempts, result: run.result })
          : this.messages.status(run, 'FAILED', { attempt: run.attempts, error: run.error }),
      ],
    );
    if (completion.outcome === 'refused') {
      throw new UnauthorizedException({
        error: {
          code: 'invalid_token',
          message: `no run ${runId} waits for an outcome with this token (a token works once)`,
        },
      });
    }
    if (completion.outcome === 'not-started') {
      throw new HttpException(
        {
          error: {
            code: 'run_not_started',
            message: `the start of run ${runId} is still being recorded; report the outcome again in a moment`,
          },
        },
        409,
      );
    }
    return { runId, status: completion.run.status };
  }

  /**
   * Records the request; the runner cancels the run: a queued or waiting run never starts, a running
   * local workflow sees its signal aborted. Asking again is harmless; a run that ended otherwise is a 409.
   */
  async cancel(principal: Principal, runId: string): Promise<CancelRunResponse> {
    const run = await this.changeable(principal, runId);
    const request = await this.control.requestCancel(run.runId);
    if (request.outcome === 'not-found') throw runNotFound(runId);
    const current = request.run;
    if (request.outcome === 'finished' && current.status !== 'CANCELLED') {
      throw new ConflictException({
        error: {
          code: 'run_finished',
          message: `run ${runId} already ended ${current.status}; only a queued or running run can be cancelled`,
        },
      });
    }
    return {
      runId,
      status: current.status,
      cancelRequestedAt: (
        current.cancelRequestedAt ??
        current.finishedAt ??
        new Date()
      ).toISOString(),
    };
  }

  /**
   * Publishes a new run request for the run's trigger, target and retry policy as the original run
   * had them, with the original input or the one given: a new run id, linked to the original both ways.
   */
  async rerun(principal: Principal, runId: string, body: RerunRequest): Promise<RerunResponse> {
    const run = await this.changeable(principal, runId);
    const now = new Date().toISOString();
    const { traceparent: _trace, ...original } = run.request;
    const request: RunRequest = {
      ...original,
      runId: `${run.triggerId}.rerun-${randomUUID()}`,
      input: body.input === undefined ? run.input : body.input,
      requestedAt: now,
      acceptedAt: now,
      rerunOf: run.runId,
    };
    await this.publisher.publishRunRequest(request);
    return { runId: request.runId, rerunOf: run.runId };
  }

  private async changeable(principal: Principal, runId: string): Promise<RunRecord> {
    const run = await this.runs.get(runId);
    if (!run) throw runNotFound(runId);
    assertCanSee(principal, run.owner, `run ${runId}`);
    assertCanChange(principal, run.owner, `run ${runId}`);
    return run;
  }
}

export function runNotFound(runId: string): NotFoundException {
  return new NotFoundException({ error: { code: 'not_found', message: `run ${runId} not found` } });
}
