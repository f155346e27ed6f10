import type { LocalTarget, RunRequest } from '@flint/contracts';
import type { WorkflowRegistry } from '@flint/workflows';
import {
  type AttemptOutcome,
  CANCELLED_ERROR_TYPE,
  errorOf,
  failed,
} from '../execution/attempt-outcome';
import type { StartAttempt, TargetStarter } from './target-starter';
import type { WorkflowEvents } from './workflow-events';

/** Bounds on what one run keeps of its workflow's log and result. */
export const MAX_LOG_LINES = 1000;
export const MAX_LOG_LINE_LENGTH = 2000;
export const MAX_RESULT_BYTES = 256 * 1024;

/**
 * Runs a registered TypeScript workflow in this process. The run is STARTED when the workflow begins;
 * what it returns is the result, what it throws the error (its class name as the type), and a
 * workflow still running after the target's timeout fails with TimeoutError (its signal is aborted so
 * it can stop). The workflow ran, so its failure is the run's outcome: it is not retried.
 */
export class LocalTargetStarter implements TargetStarter {
  readonly type = 'local';
  readonly startedWhen = 'before';

  constructor(
    private readonly workflows: WorkflowRegistry,
    private readonly events: WorkflowEvents,
  ) {}

  precheck(request: RunRequest): AttemptOutcome | undefined {
    const { workflow } = request.target as LocalTarget;
    if (this.workflows.get(workflow)) return undefined;
    const known = this.workflows.names();
    return failed(
      'UnknownWorkflowError',
      `no local workflow named "${workflow}" is registered in this runner; registered: ${
        known.length > 0 ? known.join(', ') : 'none'
      }`,
      false,
    );
  }

  async start({ request, attempt, traceparent, signal }: StartAttempt): Promise<AttemptOutcome> {
    const target = request.target as LocalTarget;
    const workflow = this.workflows.get(target.workflow);
    if (!workflow) return this.precheck(request) as AttemptOutcome;
    const log = new BoundedLog();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onCancel: (() => void) | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), target.timeoutMs);
    });
    const cancelled = new Promise<'cancelled'>((resolve) => {
      onCancel = () => resolve('cancelled');
      if (signal?.aborted) onCancel();
      else signal?.addEventListener('abort', onCancel, { once: true });
    });
    try {
      const ctx = {
        runId: request.runId,
        triggerId: request.triggerId,
        attempt,
        signal: controller.signal,
        log: (message: string) => log.add(message),
        emit: this.events.emitterFor(request, traceparent ?? request.traceparent),
      };
      const running = Promise.resolve().then(() => workflow.run(request.input, ctx));
      const settled = await Promise.race([
        running.then((value) => ({ value })),
        timedOut,
        cancelled,
      ]);
      if (settled === 'cancelled') {
        controller.abort(new Error('cancelled'));
        running.catch(() => undefined);
        return failed(CANCELLED_ERROR_TYPE, `workflow "${target.workflow}" was cancelled`, false, {
          logLines: log.lines(),
        });
      }
      if (settled === 'timeout') {
        controller.abort(new Error('timed out'));
        // The workflow cannot be killed; whatever it still does, its outcome no longer counts.
        running.catch(() => undefined);
        return failed(
          'TimeoutError',
          `workflow "${target.workflow}" did not finish within ${target.timeoutMs} ms`,
          false,
          { logLines: log.lines() },
        );
      }
      return succeeded(target.workflow, settled.value, log.lines());
    } catch (err) {
      const error = errorOf(err);
      return failed(error.type, error.message, false, { logLines: log.lines() });
    } finally {
      clearTimeout(timer);
      if (onCancel) signal?.removeEventListener('abort', onCancel);
    }
  }
}

function succeeded(workflow: string, value: unknown, logLines: string[]): AttemptOutcome {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    return failed(
      'ResultNotSerializableError',
      `workflow "${workflow}" returned a result that is not JSON: ${errorOf(err).message}`,
      false,
      { logLines },
    );
  }
  const bytes = json === undefined ? 0 : Buffer.byteLength(json);
  if (bytes > MAX_RESULT_BYTES) {
    return failed(
      'ResultTooLargeError',
      `workflow "${workflow}" returned ${bytes} bytes of JSON; a result may have at most ${MAX_RESULT_BYTES}`,
      false,
      { logLines },
    );
  }
  return { kind: 'succeeded', result: json === undefined ? null : JSON.parse(json), logLines };
}

/** A workflow's log lines, bounded so a chatty workflow cannot bloat its run row. */
class BoundedLog {
  private readonly kept: string[] = [];
  private dropped = 0;

  add(message: string): void {
    if (this.kept.length >= MAX_LOG_LINES) {
      this.dropped++;
      return;
    }
    const line = `${new Date().toISOString()} ${String(message)}`;
    this.kept.push(
      line.length > MAX_LOG_LINE_LENGTH ? `${line.slice(0, MAX_LOG_LINE_LENGTH)}…` : line,
    );
  }

  lines(): string[] {
    return this.dropped === 0
      ? [...this.kept]
      : [
          ...this.kept,
          `… ${this.dropped} more lines were dropped (at most ${MAX_LOG_LINES} are kept)`,
        ];
  }
}
