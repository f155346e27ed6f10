/**
 * A faster, byte-for-byte identical encoder for kafkajs's records (the v2 message format's Record,
 * `kafkajs/src/protocol/recordBatch/record/v0`), put in its place when this module loads.
 *
 * kafkajs encodes each record header through an `Encoder` of its own, each starting with a zeroed
 * 512-byte buffer, and each varint through a `Buffer.from` of an array: with a CloudEvent's eleven
 * headers that was ≈ 27 µs of CPU per message, the largest single cost of the webhook service per
 * event (issue 20, bench/README.md). This one measures the record first and writes it into one
 * buffer of its exact size. Anything it was not written for (a header value that is neither a
 * string nor bytes, a key or value of another type, a timestamp delta that is not a small integer)
 * goes to kafkajs's own encoder, so the bytes, and the errors, are kafkajs's.
 *
 * kafkajs has no hook for this, so the module it loads is replaced in Node's module cache: its
 * produce request requires the record encoder lazily, on the first produce request of a client, by
 * which time this module has loaded (libs/kafka's producer imports it). Only the kafkajs version it
 * was checked against is touched; `record-encoder.spec.ts` holds both encoders to the same bytes.
 */
/** What kafkajs's record encoder is given (a message of `producer.send` plus its deltas). */
export interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
}

/** The part of kafkajs's `Encoder` its record batch reads from an encoded record. */
interface EncodedRecord {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
}

type RecordEncoder = (record: RecordInput) => EncodedRecord;

/** The kafkajs release whose record format and module layout this was written against. */
export const KAFKAJS_VERSION = '2.2.4';

const RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0';
const ENCODER_MODULE = 'kafkajs/src/protocol/encoder';

// kafkajs's internals have no typings and no ES module form: loaded with Node's require, and only
// from the version whose layout was checked, so another one cannot keep a service from starting.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsVersion = (require('kafkajs/package.json') as { version: string }).version;
const supported = kafkajsVersion === KAFKAJS_VERSION;

/** kafkajs's own record encoder, for what the fast one leaves to it (and for the tests). */
export const kafkajsRecordEncoder: RecordEncoder = supported
  ? // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(RECORD_MODULE) as RecordEncoder)
  : () => {
      throw new Error(`Flint's record encoder was not checked against kafkajs ${kafkajsVersion}`);
    };
/** What an encoded record is an instance of: kafkajs's `Encoder`. */
const encoderPrototype: object = supported
  ? // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(ENCODER_MODULE) as { prototype: object }).prototype
  : Object.prototype;

/** Varints of up to this magnitude are the same in kafkajs's 32-bit and 64-bit zigzag encodings. */
const SMALL_INTEGER = 2 ** 30;

function zigzag(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

function sizeOfUVarInt(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    bytes++;
    value >>>= 7;
  }
  return bytes;
}

function writeUVarInt(buf: Buffer, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[offset++] = value;
  return offset;
}

/** A header as the record holds it: its name and value, each measured once. */
interface Field {
  text: string | undefined;
  bytes: Buffer | undefined;
  length: number;
}

function field(value: unknown): Field | undefined {
  if (typeof value === 'string') {
    return { text: value, bytes: undefined, length: Buffer.byteLength(value) };
  }
  if (Buffer.isBuffer(value)) return { text: undefined, bytes: value, length: value.length };
  return undefined;
}

/** Key and value: a string, bytes or null; `undefined` means something only kafkajs knows. */
function nullableField(value: unknown): Field | null | undefined {
  return value === null || value === undefined ? null : field(value);
}

function sizeOfField(item: Field | null): number {
  return item === null ? 1 : sizeOfUVarInt(zigzag(item.length)) + item.length;
}

function writeField(buf: Buffer, offset: number, item: Field | null): number {
  if (item === null) return writeUVarInt(buf, offset, zigzag(-1));
  offset = writeUVarInt(buf, offset, zigzag(item.length));
  if (item.bytes !== undefined) item.bytes.copy(buf, offset);
  else buf.write(item.text as string, offset, item.length, 'utf8');
  return offset + item.length;
}

const isSmallInteger = (value: number) =>
  Number.isInteger(value) && value > -SMALL_INTEGER && value < SMALL_INTEGER;

/**
 * Record => Length Attributes TimestampDelta OffsetDelta Key Value [HeaderKey HeaderValue], with
 * the same defaults as kafkajs (deltas 0, no headers) and header arrays as repeated headers.
 */
export function encodeRecord(record: RecordInput): EncodedRecord {
  const { offsetDelta = 0, timestampDelta = 0, headers = {} } = record;
  const key = nullableField(record.key);
  const value = nullableField(record.value);
  if (
    key === undefined ||
    value === undefined ||
    !isSmallInteger(offsetDelta) ||
    !isSmallInteger(timestampDelta)
  ) {
    return kafkajsRecordEncoder(record);
  }
  const fields: Field[] = [];
  for (const name of Object.keys(headers)) {
    const given = headers[name];
    for (const item of Array.isArray(given) ? (given as unknown[]) : [given]) {
      const headerValue = field(item);
      if (headerValue === undefined) return kafkajsRecordEncoder(record);
      fields.push(field(name) as Field, headerValue);
    }
  }
  let bodySize =
    1 +
    sizeOfUVarInt(zigzag(timestampDelta)) +
    sizeOfUVarInt(zigzag(offsetDelta)) +
    sizeOfField(key) +
    sizeOfField(value) +
    sizeOfUVarInt(zigzag(fields.length / 2));
  for (const item of fields) bodySize += sizeOfField(item);
  if (bodySize >= SMALL_INTEGER) return kafkajsRecordEncoder(record);
  const size = sizeOfUVarInt(zigzag(bodySize)) + bodySize;
  const buf = Buffer.allocUnsafe(size);
  let offset = writeUVarInt(buf, 0, zigzag(bodySize));
  buf[offset++] = 0; // attributes: none are used
  offset = writeUVarInt(buf, offset, zigzag(timestampDelta));
  offset = writeUVarInt(buf, offset, zigzag(offsetDelta));
  offset = writeField(buf, offset, key);
  offset = writeField(buf, offset, value);
  offset = writeUVarInt(buf, offset, zigzag(fields.length / 2));
  for (const item of fields) offset = writeField(buf, offset, item);
  // An Encoder holding exactly the record, as kafkajs's record batch expects one.
  const encoded = Object.create(encoderPrototype) as EncodedRecord;
  encoded.buf = buf;
  encoded.offset = offset;
  return encoded;
}

/**
 * Puts `encodeRecord` in place of kafkajs's record encoder for every produce request encoded from
 * now on; true when it is in place. Another kafkajs version keeps its own encoder.
 */
export function installRecordEncoder(): boolean {
  if (!supported) return false;
  const cached = require.cache[require.resolve(RECORD_MODULE)];
  if (cached === undefined) return false;
  cached.exports = encodeRecord;
  return true;
}

installRecordEncoder();
