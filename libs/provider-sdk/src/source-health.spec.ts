import { SourceHealthNotes } from './source-health';

describe('SourceHealthNotes', () => {
  let changes: number;
  let failures: number;
  let notes: SourceHealthNotes;
  const at = (second: number) => new Date(Date.UTC(2026, 11, 6, 13, 0, second));

  beforeEach(() => {
    changes = 0;
    failures = 0;
    notes = new SourceHealthNotes({ changed: () => changes++, failed: () => failures++ });
  });

  it('counts failures in a row until a success, keeping the last error and its time', () => {
    notes.failed('answered 404', at(1));
    notes.failed('answered 503', at(2));
    expect(notes.snapshot()).toEqual({
      lastError: 'answered 503',
      lastErrorAt: at(2),
      consecutiveFailures: 2,
    });
    expect(notes.healthy).toBe(false);
    notes.succeeded(at(3));
    expect(notes.snapshot()).toEqual({
      lastSuccessAt: at(3),
      lastError: 'answered 503',
      lastErrorAt: at(2),
      consecutiveFailures: 0,
    });
    expect(notes.healthy).toBe(true);
    expect(failures).toBe(2);
    expect(changes).toBe(3);
  });

  it("takes a connection's ups and downs as attempts, and an event as a success", () => {
    notes.connection('connecting');
    expect(notes.healthy).toBe(false);
    expect(notes.snapshot().consecutiveFailures).toBe(0);
    notes.connection('reconnecting', 'ECONNREFUSED');
    expect(notes.snapshot()).toMatchObject({
      connection: 'reconnecting',
      connectionError: 'ECONNREFUSED',
      lastError: 'ECONNREFUSED',
      consecutiveFailures: 1,
    });
    notes.connection('up');
    expect(notes.healthy).toBe(true);
    expect(notes.snapshot()).toMatchObject({ connection: 'up', consecutiveFailures: 0 });
    notes.failed('publish failed');
    notes.eventAt(at(9));
    expect(notes.snapshot()).toMatchObject({
      lastEventAt: at(9),
      lastSuccessAt: at(9),
      consecutiveFailures: 0,
    });
    expect(failures).toBe(2);
  });
});
