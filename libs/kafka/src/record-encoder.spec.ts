import fc from 'fast-check';
import {
  type RecordInput,
  encodeRecord,
  installRecordEncoder,
  kafkajsRecordEncoder,
} from './record-encoder';

/** The bytes an encoder gives for a record, or the error it throws. */
function outcome(encode: (record: RecordInput) => { buffer: Buffer }, record: RecordInput) {
  try {
    return encode(record).buffer.toString('hex');
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
}

const text = fc.string({ unit: 'binary', maxLength: 300 });
const bytes = fc.uint8Array({ maxLength: 300 }).map((array) => Buffer.from(array));
const headerValue = fc.oneof(text, bytes);

describe('the record encoder', () => {
  it('writes the same bytes as kafkajs for any key, value, headers and deltas', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            offsetDelta: fc.oneof(fc.nat(2000), fc.integer()),
            timestampDelta: fc.oneof(fc.nat(5000), fc.integer(), fc.maxSafeInteger()),
            key: fc.oneof(text, bytes, fc.constant(null)),
            value: fc.oneof(
              text,
              bytes,
              fc.constant(null),
              fc.string({ minLength: 200, maxLength: 20_000 }),
            ),
            headers: fc.dictionary(
              fc.string({ unit: 'binary', maxLength: 40 }),
              fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })),
              { maxKeys: 14 },
            ),
          },
          { requiredKeys: [] },
        ),
        (record) => {
          expect(outcome(encodeRecord, record)).toBe(outcome(kafkajsRecordEncoder, record));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('leaves what it was not written for to kafkajs, errors included', () => {
    const odd: RecordInput[] = [
      { key: 'k', value: 'v', headers: { broken: null } },
      { key: 'k', value: 'v', headers: { missing: undefined } },
      { key: 42, value: 'v' },
      { key: 'k', value: 'v', timestampDelta: 2 ** 40 },
      { key: 'k', value: 'v', timestampDelta: -(2 ** 35) },
    ];
    for (const record of odd) {
      expect(outcome(encodeRecord, record)).toBe(outcome(kafkajsRecordEncoder, record));
    }
  });

  it("is what kafkajs's produce request loads as its record encoder, once this module loaded", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('kafkajs/src/protocol/recordBatch/record/v0')).toBe(encodeRecord);
    expect(installRecordEncoder()).toBe(true);
  });
});
