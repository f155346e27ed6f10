import { EgressPolicy, EgressRefusedError, egressFetch, parseRetryAfter } from '@flint/common';
import {
  type HeaderValue,
  type HttpTarget,
  RUN_ID_PLACEHOLDER,
  type RunRequest,
  type WorkflowCancellation,
} from '@flint/contracts';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { type SecretResolver, SecretNotFoundError } from '@flint/provider-sdk';
import { type AttemptOutcome, CANCELLED_ERROR_TYPE, failed } from '../execution/attempt-outcome';
import { readBodyExcerpt } from './body-excerpt';
import type { StartAttempt, TargetCanceller, TargetStarter } from './target-starter';

/** Methods whose request carries the input as a JSON body. */
const NO_BODY_METHODS = new Set(['GET']);

/**
 * Starts a workflow with one HTTP request: the input as a JSON body, the event's `traceparent` so the
 * workflow engine continues the trace, and the run id as `Idempotency-Key` so an engine that honours
 * it ignores a retried start. 2xx (or the configured codes) succeed; 5xx, 429, timeouts and network
 * errors are worth retrying; any other status is final.
 *
 * A start still in flight when its run is cancelled is aborted; since the engine may have received
 * it, a target with `cancel` is then asked to stop as well (RunExecutor).
 */
export class HttpTargetStarter implements TargetStarter, TargetCanceller {
  readonly type = 'http';
  readonly startedWhen = 'on-success';

  private readonly fetch: typeof fetch;

  /** Every request, redirects too, goes only where `egress` allows (`FLINT_EGRESS_*`). */
  constructor(
    private readonly secrets: SecretResolver,
    egress: EgressPolicy = EgressPolicy.DEFAULT,
  ) {
    this.fetch = egressFetch(egress);
  }

  async start({
    request,
    attempt,
    traceparent,
    callback,
    signal,
  }: StartAttempt): Promise<AttemptOutcome> {
    const target = request.target as HttpTarget;
    let headers: Record<string, string>;
    try {
      headers = await this.headersFor(request, target, attempt, traceparent);
      if (callback) {
        headers['x-flint-callback-url'] = callback.url;
        headers['x-flint-callback-token'] = callback.token;
      }
    } catch (err) {
      if (err instanceof SecretNotFoundError) return failed(err.name, err.message, false);
      throw err;
    }
    const where = describeUrl(target.url);
    let response: Response;
    try {
      response = await this.fetch(target.url, {
        method: target.method,
        headers,
        body: NO_BODY_METHODS.has(target.method)
          ? undefined
          : JSON.stringify(request.input ?? null),
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(target.timeoutMs)])
          : AbortSignal.timeout(target.timeoutMs),
      });
    } catch (err) {
      if (signal?.aborted) {
        return failed(
          CANCELLED_ERROR_TYPE,
          `the run was cancelled while ${where} was starting`,
          false,
        );
      }
      return requestFailure(err, where, target.timeoutMs);
    }
    const excerpt = await readBodyExcerpt(response.body);
    const recorded = { status: response.status, excerpt: excerpt.text };
    if (isSuccess(response.status, target.successCodes)) {
      return {
        kind: 'succeeded',
        result: { status: response.status, body: bodyValue(excerpt.text, excerpt.truncated) },
        response: recorded,
      };
    }
    const message = `${target.method} ${where} answered ${response.status}${
      excerpt.text ? `: ${excerpt.text.slice(0, 500)}` : ''
    }`;
    if (response.status === 429 || response.status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      return failed('HttpStatusError', message, true, {
        response: recorded,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    return failed('HttpStatusError', message, false, { response: recorded });
  }

  /**
   * Asks the engine to stop the run's workflow: the target's `cancel` request with the cancellation
   * as its JSON body, the run id in place of `{{runId}}` in its URL, its own headers (secrets by
   * reference) and `Idempotency-Key: <run id>:cancel`, through the same egress rules and timeout as
   * the start. Any 2xx counts as delivered; 5xx, 429 and network errors are worth another try.
   */
  async cancel(request: RunRequest, cancellation: WorkflowCancellation): Promise<AttemptOutcome> {
    const target = request.target as HttpTarget;
    const cancel = target.cancel;
    if (cancel === undefined) {
      return failed(
        'NoCancelRequestError',
        `the target of run ${request.runId} declares no cancel`,
        false,
      );
    }
    let headers: Record<string, string>;
    try {
      headers = {
        'content-type': 'application/json',
        'idempotency-key': `${request.runId}:cancel`,
        'x-flint-run-id': request.runId,
        'x-flint-trigger-id': request.triggerId,
        ...(await this.resolved(cancel.headers, request.owner)),
      };
    } catch (err) {
      if (err instanceof SecretNotFoundError) return failed(err.name, err.message, false);
      throw err;
    }
    const url = cancel.url.replaceAll(RUN_ID_PLACEHOLDER, encodeURIComponent(request.runId));
    const where = describeUrl(url);
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: cancel.method,
        headers,
        body: NO_BODY_METHODS.has(cancel.method) ? undefined : JSON.stringify(cancellation),
        signal: AbortSignal.timeout(target.timeoutMs),
      });
    } catch (err) {
      return requestFailure(err, where, target.timeoutMs);
    }
    const excerpt = await readBodyExcerpt(response.body);
    const recorded = { status: response.status, excerpt: excerpt.text };
    if (response.status >= 200 && response.status < 300) {
      return { kind: 'succeeded', result: null, response: recorded };
    }
    const message = `cancel ${cancel.method} ${where} answered ${response.status}`;
    if (response.status === 429 || response.status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      return failed('HttpStatusError', message, true, {
        response: recorded,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    return failed('HttpStatusError', message, false, { response: recorded });
  }

  private async headersFor(
    request: RunRequest,
    target: HttpTarget,
    attempt: number,
    traceparent: string | undefined,
  ): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': request.runId,
      'x-flint-run-id': request.runId,
      'x-flint-trigger-id': request.triggerId,
      'x-flint-attempt': String(attempt),
    };
    // Inside a traced attempt the fetch instrumentation adds the HTTP client span's own traceparent;
    // a second header would make the trace context invalid.
    if (
      traceparent &&
      !trace.isSpanContextValid(trace.getActiveSpan()?.spanContext() ?? INVALID_SPAN_CONTEXT)
    ) {
      headers.traceparent = traceparent;
    }
    return { ...headers, ...(await this.resolved(target.headers, request.owner)) };
  }

  /** Configured headers, lower-cased, with secret references resolved for the run's owner. */
  private async resolved(
    configured: Record<string, HeaderValue>,
    owner: string,
  ): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(configured)) {
      headers[name.toLowerCase()] =
        typeof value === 'string' ? value : await this.secrets.resolve(value.secretRef, owner);
    }
    return headers;
  }
}

function isSuccess(status: number, successCodes: number[] | undefined): boolean {
  return successCodes ? successCodes.includes(status) : status >= 200 && status < 300;
}

function requestFailure(err: unknown, where: string, timeoutMs: number): AttemptOutcome {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return failed('TimeoutError', `no answer from ${where} within ${timeoutMs} ms`, true);
  }
  const cause = error.cause;
  // Trying again cannot help: the operator's rules refuse the address.
  if (cause instanceof EgressRefusedError) {
    return failed(cause.name, `request to ${where} failed: ${cause.message}`, false);
  }
  const detail = cause?.code ?? cause?.message ?? error.message;
  return failed('NetworkError', `request to ${where} failed: ${detail}`, true);
}

/** The response body as JSON when it is complete JSON, else the text excerpt. */
function bodyValue(text: string, truncated: boolean): unknown {
  if (truncated || text === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Origin and path only: a query string may carry a token, and errors end up in events and logs. */
function describeUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.origin}${url.pathname}`;
}
