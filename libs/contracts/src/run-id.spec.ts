import { RunRequestSchema } from './run-request/run-request';
import { runIdForEvents, runIdForKey } from './run-id';

describe('deterministic run ids', () => {
  it('gives the same key in the window it opened the same id, and anything else another', () => {
    const id = runIdForKey('deploy', 'delivery-1', 20_000);
    expect(id).toBe(runIdForKey('deploy', 'delivery-1', 20_000));
    expect(id).toMatch(/^deploy\.[0-9a-f]{32}$/);
    const others = [
      runIdForKey('deploy', 'delivery-2', 20_000),
      runIdForKey('deploy', 'delivery-1', 20_001),
      runIdForKey('deploy-2', 'delivery-1', 20_000),
    ];
    expect(new Set([id, ...others]).size).toBe(4);
  });

  it('cannot be made to collide by moving a separator between trigger and key', () => {
    expect(runIdForKey('a', 'b-c', 1)).not.toBe(runIdForKey('a-b', 'c', 1));
    expect(runIdForEvents('t', ['a,b'])).not.toBe(runIdForEvents('t', ['a', 'b']));
  });

  it('ignores the order and repetition of the causing events', () => {
    const id = runIdForEvents('batch', ['e3', 'e1', 'e2']);
    expect(runIdForEvents('batch', ['e1', 'e2', 'e3', 'e1'])).toBe(id);
    expect(runIdForEvents('batch', ['e1', 'e2'])).not.toBe(id);
    expect(runIdForEvents('batch', ['e1'])).not.toBe(runIdForKey('batch', 'e1', 0));
  });

  it('is a valid run id of a run request', () => {
    const runId = runIdForKey('x'.repeat(63), 'k'.repeat(4096), 1);
    expect(RunRequestSchema.shape.runId.safeParse(runId).success).toBe(true);
  });

  it('refuses a window that does not open at a whole number of ms', () => {
    expect(() => runIdForKey('deploy', 'k', Number.NaN)).toThrow(
      'a dedupe window opens at a whole number of ms, got NaN',
    );
  });
});
