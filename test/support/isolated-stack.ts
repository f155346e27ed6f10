import { SERVICE_NAMES } from '@flint/contracts';
import { portVariable } from '@flint/service-kit';
import { uniqueName } from './kafka';

/**
 * Environment for a whole local stack that shares the test broker and server with other tests without
 * seeing their messages: every port chosen by the OS, topics and consumer groups of its own, its own
 * database, and a runner that looks for due runs often.
 */
export function isolatedStackEnv(
  databaseUrl: string,
  overrides: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const ports = Object.fromEntries(SERVICE_NAMES.map((s) => [portVariable(s), '0']));
  return {
    ...process.env,
    ...ports,
    ...stackEnv(uniqueName('stack'), databaseUrl),
    FLINT_RUNNER_POLL_INTERVAL_MS: '200',
    ...overrides,
  };
}

/**
 * What keeps a stack apart from others on the same broker and server (tests, benchmarks): topics and
 * consumer groups named after `run`, its own database, quiet logs on localhost.
 */
export function stackEnv(run: string, databaseUrl: string): NodeJS.ProcessEnv {
  return {
    FLINT_HOST: '127.0.0.1',
    FLINT_LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    FLINT_TOPIC_EVENTS: `${run}.events`,
    FLINT_TOPIC_RUNS: `${run}.runs`,
    FLINT_TOPIC_TRIGGERS: `${run}.triggers`,
    FLINT_TOPIC_DLQ: `${run}.dlq`,
    FLINT_EVALUATOR_GROUP_ID: `${run}-evaluator`,
    FLINT_RUNNER_GROUP_ID: `${run}-runner`,
    FLINT_API_DLQ_GROUP_ID: `${run}-api-dead-letters`,
  };
}
