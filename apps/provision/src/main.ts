import { Logger } from '@nestjs/common';
import { provision } from './provision';

/**
 * The one-shot job of a deployment (`FLINT_SERVICE=provision` in the image): migrate, create topics,
 * exit 0; or say why not and exit 1 so the job is retried and the rollout waits.
 */
const logger = new Logger('provision');

provision(process.env, {
  kafkaLog: (level, message) => (level === 'error' ? logger.error(message) : logger.warn(message)),
}).then(
  (report) => {
    const applied = report.migrations.map((m) => `${m.version} ${m.name}`);
    logger.log(
      `database schema current (${applied.length > 0 ? `applied ${applied.join(', ')}` : 'nothing to apply'})`,
    );
    logger.log(
      `Kafka topics ready (created: ${report.topics.created.join(', ') || 'none'}; ` +
        `already there: ${report.topics.existing.join(', ') || 'none'})`,
    );
    process.exit(0);
  },
  (err: unknown) => {
    logger.error(`provisioning failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
