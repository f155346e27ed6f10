import { MessageDecodeError } from '../dlq';
import { formatZodIssues } from '../format-issues';
import { describeJsonProblem, findJsonProblem } from '../json-limits';
import { type RunRequest, RunRequestSchema } from './run-request';

/**
 * A run request as a message on the runs topic: keyed by its run id (so every request of one run
 * lands on one partition and a replay claims the same run), the request as JSON, and the trace
 * context of the event that caused it in the `traceparent` header.
 */
export interface EncodedRunRequest {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function encodeRunRequest(request: RunRequest): EncodedRunRequest {
  return {
    key: request.runId,
    value: JSON.stringify(request),
    headers: request.traceparent ? { traceparent: request.traceparent } : {},
  };
}

/**
 * A run request from its message: JSON that matches the RunRequest contract. Anything else is
 * thrown as a MessageDecodeError naming the problem, and the consumer runtime dead-letters it.
 */
export function decodeRunRequest(message: { value: Buffer | string | null }): RunRequest {
  if (message.value === null || message.value.length === 0) {
    throw new MessageDecodeError('a run request must be a JSON object; the message value is empty');
  }
  let json: unknown;
  try {
    json = JSON.parse(message.value.toString('utf8'));
  } catch (err) {
    throw new MessageDecodeError(`a run request must be JSON: ${(err as Error).message}`);
  }
  // Before anything stores the run: a NUL would make PostgreSQL refuse the claim, deep nesting would
  // overflow the walks that follow.
  const problem = findJsonProblem(json);
  if (problem !== undefined) {
    throw new MessageDecodeError(
      `the runner cannot process this run request: ${describeJsonProblem(problem, 'the request')}`,
      'invalid',
    );
  }
  const parsed = RunRequestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = formatZodIssues(parsed.error)
      .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
      .join('; ');
    throw new MessageDecodeError(`invalid run request: ${problems}`, 'invalid');
  }
  return parsed.data;
}
