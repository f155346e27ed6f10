import type { Command } from 'commander';
import {
  CancelRunResponseSchema,
  describeAttempts,
  RerunResponseSchema,
  type RunDetail,
  RunDetailSchema,
  RunPageSchema,
  type RunSummary,
} from '@flint/contracts';
import type { FlintApiClient } from '../api-client';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import { CliInputError, failuresReported, typed } from '../command-failures';
import { readJsonFile } from '../json-input';
import { type OutputOptions, formatTable, printOutput, withOutputOption } from '../output';

interface RunsOptions extends ApiOptions, OutputOptions {
  trigger?: string;
  status?: string;
  limit: string;
}

interface RerunOptions extends ApiOptions {
  input?: string;
}

/**
 * `flint runs [--trigger t] [--status s] [--limit n]`, `flint runs <run-id>`, and run control:
 * `flint runs cancel <run-id>`, `flint runs rerun <run-id> [--input file]`.
 */
export function registerRunCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  const runsCommand = program.command('runs [run-id]');
  withApiOptions(
    runsCommand
      .command('cancel <run-id>')
      .description(
        'cancel a queued or running run: it never starts, or its local workflow sees its signal aborted',
      ),
  ).action((runId: string, options: ApiOptions) =>
    attempt(`runs cancel ${runId}`, async () => {
      const answer = await typed(
        CancelRunResponseSchema,
        context.client(options).request('POST', `/api/runs/${encodeURIComponent(runId)}/cancel`),
      );
      io.out(
        answer.status === 'CANCELLED'
          ? `run ${runId} is CANCELLED`
          : `cancellation of run ${runId} requested (now ${answer.status}); the runner ends it CANCELLED`,
      );
    }),
  );
  withApiOptions(
    runsCommand
      .command('rerun <run-id>')
      .description('start the run again as a new run, with its input or the one in --input')
      .option('--input <file>', 'the new run’s input: a JSON file'),
  ).action((runId: string, options: RerunOptions) =>
    attempt(`runs rerun ${runId}`, async () => {
      const input =
        options.input === undefined ? undefined : await readJsonFile(options.input, io.cwd);
      const answer = await typed(
        RerunResponseSchema,
        context
          .client(options)
          .request(
            'POST',
            `/api/runs/${encodeURIComponent(runId)}/rerun`,
            input === undefined ? {} : { input },
          ),
      );
      io.out(answer.runId);
      io.err(`run ${answer.runId} requested, re-running ${runId}`);
    }),
  );
  withOutputOption(
    withApiOptions(
      runsCommand
        .description('list runs, newest first, or show one run in full; cancel or re-run one')
        .option('--trigger <id>', 'only runs of this trigger')
        .option('--status <status>', 'only runs with this status (REQUESTED, STARTED, SUCCEEDED…)')
        .option('--limit <n>', 'how many runs to list', '20'),
    ),
  ).action((runId: string | undefined, options: RunsOptions) =>
    attempt(runId === undefined ? 'runs' : `runs ${runId}`, async () => {
      const client = context.client(options);
      if (runId !== undefined) {
        const run = await typed(
          RunDetailSchema,
          client.request('GET', `/api/runs/${encodeURIComponent(runId)}`),
        );
        printOutput(io, options.output, run, () => runLines(run));
        return;
      }
      const runs = await listRuns(client, options);
      printOutput(io, options.output, runs, () =>
        runs.length === 0 ? ['no runs'] : runTable(runs),
      );
    }),
  );
}

async function listRuns(client: FlintApiClient, options: RunsOptions): Promise<RunSummary[]> {
  if (!/^\d+$/.test(options.limit) || Number(options.limit) < 1) {
    throw new CliInputError(`--limit must be a whole number of at least 1, got "${options.limit}"`);
  }
  const wanted = Number(options.limit);
  const runs: RunSummary[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: String(Math.min(wanted - runs.length, 500)) });
    if (options.trigger) query.set('trigger', options.trigger);
    if (options.status) query.set('status', options.status);
    if (cursor) query.set('cursor', cursor);
    const page = await typed(RunPageSchema, client.request('GET', `/api/runs?${query}`));
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined && runs.length < wanted);
  return runs;
}

function runTable(runs: RunSummary[]): string[] {
  return formatTable(
    ['RUN ID', 'TRIGGER', 'STATUS', 'ATTEMPTS', 'REQUESTED', 'DURATION', 'ERROR'],
    runs.map((run) => [
      run.runId,
      run.triggerId,
      run.status,
      String(run.attempts),
      run.requestedAt,
      run.durationMs === undefined ? '-' : `${run.durationMs} ms`,
      run.error ? `${run.error.type}: ${oneLine(run.error.message)}` : '',
    ]),
  );
}

function runLines(run: RunDetail): string[] {
  const field = (name: string, value: string | number | undefined) =>
    value === undefined ? [] : [`${name.padEnd(14)}${value}`];
  const lines = [
    ...field('run', run.runId),
    ...field('trigger', `${run.triggerId} (version ${run.triggerVersion}, owner ${run.owner})`),
    ...field('status', run.status),
    ...field('reason', run.statusReason),
    ...field('attempts', describeAttempts(run)),
    ...field('target', run.workflow ? `${run.targetType} ${run.workflow}` : run.targetType),
    ...field('events', run.eventIds.join(', ')),
    ...field('trace', run.traceId),
    ...field('accepted', run.acceptedAt),
    ...field('requested', run.requestedAt),
    ...field('started', run.startedAt),
    ...field('finished', run.finishedAt),
    ...field('duration', run.durationMs === undefined ? undefined : `${run.durationMs} ms`),
    ...field('error', run.error ? `${run.error.type}: ${run.error.message}` : undefined),
    ...field('cancel asked', run.cancelRequestedAt),
    ...field('stop request', describeStopRequest(run.cancellationRequest)),
    ...field('re-run of', run.rerunOf),
    ...field('re-runs', run.reruns.length > 0 ? run.reruns.join(', ') : undefined),
    'input:',
    ...indented(JSON.stringify(run.input, null, 2)),
  ];
  if (run.result !== undefined)
    lines.push('result:', ...indented(JSON.stringify(run.result, null, 2)));
  if (run.attemptHistory.length > 0) {
    lines.push('attempt history:');
    for (const attempt of run.attemptHistory) {
      const parts = [
        `#${attempt.attempt}`,
        attempt.outcome ?? 'in progress',
        attempt.startedAt,
        ...(attempt.durationMs === undefined ? [] : [`${attempt.durationMs} ms`]),
        ...(attempt.response ? [`HTTP ${attempt.response.status}`] : []),
        ...(attempt.error ? [`${attempt.error.type}: ${oneLine(attempt.error.message)}`] : []),
      ];
      lines.push(`  ${parts.join('  ')}`);
    }
  }
  if (run.logLines.length > 0) lines.push('log:', ...run.logLines.map((line) => `  ${line}`));
  return lines;
}

/** The request that asked a remote workflow to stop its cancelled run, on one line. */
function describeStopRequest(request: RunDetail['cancellationRequest']): string | undefined {
  if (request === undefined) return undefined;
  const tries = `${request.tries} ${request.tries === 1 ? 'try' : 'tries'}`;
  const answer = request.responseStatus === undefined ? '' : `, HTTP ${request.responseStatus}`;
  const error = request.error ? `: ${request.error.type}: ${oneLine(request.error.message)}` : '';
  if (request.status === 'sent') return `sent (${tries}${answer})`;
  if (request.status === 'failed') return `failed after ${tries}${answer}${error}`;
  const next = request.nextTryAt === undefined ? '' : `, next ${request.nextTryAt}`;
  return `pending (${tries}${next})${error}`;
}

function indented(text: string): string[] {
  return text.split('\n').map((line) => `  ${line}`);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}
