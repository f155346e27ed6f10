/** How a connection-based source's link to its upstream is doing. */
export type ConnectionState = 'connecting' | 'up' | 'reconnecting' | 'failed';

/** What a source's run loop reports about its upstream, shown with its status. */
export interface SourceHealth {
  /** The connection's state; `reason` says why it is reconnecting or failed (never a secret). */
  connection(state: ConnectionState, reason?: string): void;
  /** An event was accepted (Kafka acknowledged it) at `at`. */
  eventAt(at: Date): void;
  /** How many messages the source is behind upstream, where the protocol tells. */
  lag(messages: number): void;
}

export interface SourceHealthSnapshot {
  connection?: ConnectionState;
  connectionError?: string;
  lastEventAt?: Date;
  lag?: number;
}

/** One source's health notes, kept across restarts of its run loop. */
export class SourceHealthNotes implements SourceHealth {
  private current: SourceHealthSnapshot = {};

  connection(state: ConnectionState, reason?: string): void {
    this.current.connection = state;
    this.current.connectionError = reason;
  }

  eventAt(at: Date): void {
    this.current.lastEventAt = at;
  }

  lag(messages: number): void {
    this.current.lag = messages;
  }

  snapshot(): SourceHealthSnapshot {
    return { ...this.current };
  }
}
