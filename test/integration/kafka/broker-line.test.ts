import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_3_VERSION } from '../../support/kafka';

/**
 * These tests run twice: in the `integration` project against the default broker (the newest 4.x,
 * scripts/kafka/VERSION) and in the `kafka-3.9` project against a 3.9 broker. This one checks that
 * each run really talks to the broker of its line, when the suite started that broker itself.
 */
const ROOT = join(__dirname, '..', '..', '..');
const onKafka3 = process.env.KAFKA_BROKERS === process.env.FLINT_TEST_KAFKA_3_BROKERS;
const dataDir = onKafka3
  ? process.env.FLINT_TEST_KAFKA_3_DATA_DIR
  : process.env.FLINT_TEST_KAFKA_DATA_DIR;
const expected = onKafka3
  ? KAFKA_3_VERSION
  : (process.env.FLINT_KAFKA_VERSION ??
    readFileSync(join(ROOT, 'scripts', 'kafka', 'VERSION'), 'utf8').trim());

describe(`the broker of this run (${onKafka3 ? 'the 3.9 line' : 'the default'})`, () => {
  (dataDir ? it : it.skip)(`is Kafka ${expected}, started from its own jars`, () => {
    const pid = readFileSync(join(dataDir!, 'kafka.pid'), 'utf8').trim();
    const args = spawnSync('ps', ['-ww', '-o', 'args=', '-p', pid], { encoding: 'utf8' }).stdout;
    expect(args).toContain('kafka.Kafka');
    expect(args).toContain(`/.cache/kafka/${expected}/libs/`);
  });
});
