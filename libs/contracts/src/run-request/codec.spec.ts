import { MessageDecodeError } from '../dlq';
import { decodeRunRequest, encodeRunRequest } from './codec';

const valid = {
  runId: 'deploy.abc',
  triggerId: 'deploy',
  triggerVersion: 1,
  owner: 'default',
  target: { type: 'local', workflow: 'echo' },
  input: { a: 1 },
  eventIds: ['e-1'],
  retry: {},
  requestedAt: '2024-05-01T12:00:00Z',
  acceptedAt: '2024-05-01T12:00:00Z',
  provider: 'webhook',
};

function message(value: string | null): { value: Buffer | null } {
  return { value: value === null ? null : Buffer.from(value) };
}

function decodeError(value: string | null): MessageDecodeError {
  try {
    decodeRunRequest(message(value));
  } catch (err) {
    return err as MessageDecodeError;
  }
  throw new Error('expected the message to be rejected');
}

describe('decodeRunRequest', () => {
  it('decodes a valid request and applies the contract defaults', () => {
    const request = decodeRunRequest(message(JSON.stringify(valid)));
    expect(request.target).toEqual({ type: 'local', workflow: 'echo', timeoutMs: 30_000 });
    expect(request.retry.maxAttempts).toBe(3);
  });

  it('calls bytes that are not JSON undecodable', () => {
    const error = decodeError('{ nope');
    expect(error).toBeInstanceOf(MessageDecodeError);
    expect(error.reason).toBe('undecodable');
    expect(error.message).toMatch(/^a run request must be JSON: /);
    expect(decodeError(null).message).toBe(
      'a run request must be a JSON object; the message value is empty',
    );
  });

  it('calls a request PostgreSQL could not store, or nested too deep to walk, invalid', () => {
    const nul = decodeError(JSON.stringify({ ...valid, input: { kind: 'a\u0000b' } }));
    expect(nul.reason).toBe('invalid');
    expect(nul.message).toBe(
      'the runner cannot process this run request: the request at input.kind contains a NUL character (\\u0000)',
    );
    const deep = decodeError(
      JSON.stringify({ ...valid, input: JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`) }),
    );
    expect(deep.reason).toBe('invalid');
    expect(deep.message).toContain('nests deeper than 100 levels');
  });

  it('calls JSON that breaks the contract invalid and names every problem', () => {
    const error = decodeError(
      JSON.stringify({ ...valid, eventIds: [], target: { type: 'ftp' }, runId: undefined }),
    );
    expect(error.reason).toBe('invalid');
    expect(error.message).toContain('runId: required');
    expect(error.message).toContain('eventIds: must list at least one event id');
    expect(error.message).toContain('target.type');
  });
});

describe('encodeRunRequest', () => {
  it('keys the message by run id, carries the trace context, and decodes back to the request', () => {
    const request = decodeRunRequest(
      message(
        JSON.stringify({
          ...valid,
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        }),
      ),
    );
    const encoded = encodeRunRequest(request);
    expect(encoded.key).toBe('deploy.abc');
    expect(encoded.headers).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(decodeRunRequest(encoded)).toEqual(request);
    expect(encodeRunRequest({ ...request, traceparent: undefined }).headers).toEqual({});
  });
});
