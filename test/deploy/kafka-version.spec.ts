import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCompose } from './support/compose';
import { root } from './support/repo';

/**
 * The default Kafka version is written down once, in scripts/kafka/VERSION: kafka.sh reads it, and
 * docker-compose.yml and the docs must name the same version.
 */
const version = readFileSync(join(root, 'scripts', 'kafka', 'VERSION'), 'utf8').trim();

describe('the default Kafka version (scripts/kafka/VERSION)', () => {
  it('is a release of the 4.x line or newer', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(4);
  });

  it('is read by kafka.sh, and pom.xml names no Kafka version of its own', () => {
    const script = readFileSync(join(root, 'scripts', 'kafka', 'kafka.sh'), 'utf8');
    expect(script).toContain('"$SCRIPT_DIR/VERSION"');
    expect(script).not.toMatch(/FLINT_KAFKA_VERSION:-\d/);
    const pom = readFileSync(join(root, 'scripts', 'kafka', 'pom.xml'), 'utf8');
    expect(pom).not.toMatch(/<kafka\.version>/);
  });

  it('is the broker image of docker-compose.yml, and the version its Kafka exporter speaks', () => {
    const { services } = loadCompose();
    expect(services.kafka?.image).toBe(`apache/kafka:${version}`);
    const command = services['kafka-exporter']?.command ?? [];
    const args = Array.isArray(command) ? command : command.split(/\s+/);
    expect(args.filter((arg) => arg.startsWith('--kafka.version='))).toEqual([
      `--kafka.version=${version}`,
    ]);
  });

  it('is the default docs/configuration.md gives for FLINT_KAFKA_VERSION', () => {
    const doc = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
    const row = doc.split('\n').find((line) => line.startsWith('| `FLINT_KAFKA_VERSION`'));
    expect(row).toContain(`\`${version}\``);
    expect(row).toContain('`scripts/kafka/VERSION`');
  });
});
