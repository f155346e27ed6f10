/** How a connection-based source's link to its upstream is doing. */
export type ConnectionState = 'connecting' | 'up' | 'reconnecting' | 'failed';

/**
 * What a source's run loop reports about its work, shown with its status and counted in
 * `flint_source_up` and `flint_source_failures_total`. Every kind reports its attempts (a poll, a
 * fired slot, a folder scan, a webhook call); a connection-based source also its connection, whose
 * changes count as attempts too (up is a success, reconnecting or failed a failure).
 */
export interface SourceHealth {
  /** One attempt of the source's work succeeded: the failures in a row start again from 0. */
  succeeded(at?: Date): void;
  /** One attempt failed; `reason` says why (never a secret). */
  failed(reason: string, at?: Date): void;
  /** The connection's state; `reason` says why it is reconnecting or failed (never a secret). */
  connection(state: ConnectionState, reason?: string): void;
  /** An event was accepted (Kafka acknowledged it) at `at`: a success. */
  eventAt(at: Date): void;
  /** How many messages the source is behind upstream, where the protocol tells. */
  lag(messages: number): void;
}

export interface SourceHealthSnapshot {
  lastSuccessAt?: Date;
  lastError?: string;
  lastErrorAt?: Date;
  consecutiveFailures: number;
  connection?: ConnectionState;
  connectionError?: string;
  lastEventAt?: Date;
  lag?: number;
}

export interface SourceHealthListener {
  /** Something changed that may change whether the source is up. */
  changed(): void;
  /** An attempt failed. */
  failed(): void;
}

/** One source's health notes, kept across restarts of its run loop. */
export class SourceHealthNotes implements SourceHealth {
  private current: SourceHealthSnapshot = { consecutiveFailures: 0 };

  constructor(private readonly listener: SourceHealthListener) {}

  succeeded(at: Date = new Date()): void {
    this.current.lastSuccessAt = at;
    this.current.consecutiveFailures = 0;
    this.listener.changed();
  }

  failed(reason: string, at: Date = new Date()): void {
    this.current.lastError = reason;
    this.current.lastErrorAt = at;
    this.current.consecutiveFailures += 1;
    this.listener.failed();
    this.listener.changed();
  }

  connection(state: ConnectionState, reason?: string): void {
    this.current.connection = state;
    this.current.connectionError = reason;
    if (state === 'up') this.succeeded();
    else if (state !== 'connecting') this.failed(reason ?? `the connection is ${state}`);
    else this.listener.changed();
  }

  eventAt(at: Date): void {
    this.current.lastEventAt = at;
    this.succeeded(at);
  }

  lag(messages: number): void {
    this.current.lag = messages;
  }

  /** Whether its last attempt succeeded and its connection, if it holds one, is up. */
  get healthy(): boolean {
    const { consecutiveFailures, connection } = this.current;
    return consecutiveFailures === 0 && (connection === undefined || connection === 'up');
  }

  snapshot(): SourceHealthSnapshot {
    return { ...this.current };
  }
}
