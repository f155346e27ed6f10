import type { IHeaders } from 'kafkajs';

/** A message to produce; the shape kafkajs accepts, minus the options Flint does not use. */
export interface OutgoingMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
}

/** A message to produce together with the topic it goes to. */
export interface OutgoingRecord extends OutgoingMessage {
  topic: string;
}

/** A consumed message with where it came from, as handed to decoders and the dead-letter queue. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
}
