/**
 * Whose fault a failure is. A consumer retries an outage (Kafka or the database unreachable, a
 * deadlock, a timeout): the message is fine and will go through once the outage ends. Anything else is
 * the message's own fault (data a step cannot process, a record the broker refuses): retrying it can
 * only stop the partition behind it, so it is dead-lettered and the consumer moves on.
 */

/** Broker answers that no retry of the same records can change. */
const PERMANENT_KAFKA_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

/** Socket and DNS failures: the other side is unreachable right now. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * PostgreSQL SQLSTATE classes and codes that describe the server's state, not the statement: 08
 * connection exception, 53 insufficient resources, 57 operator intervention (shutdown, cancel), 58
 * system error; serialization failure, deadlock, lock not available, read-only after a failover.
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '53', '57', '58']);
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '55006', '25006']);
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** What node-postgres throws, without a code, when its connection goes away or never comes. */
const CONNECTION_LOST =
  /connection terminated|connection error|timeout exceeded when trying to connect|client has encountered a connection error|not queryable|socket hang up/i;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  type?: unknown;
  message?: unknown;
  transient?: unknown;
  originalError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

type Verdict = 'transient' | 'permanent' | 'unknown';

/**
 * True when `err` (or what it wraps) is an outage: retrying the same message later can succeed.
 * Anything not recognised as an outage counts as the message's own fault. An error may declare
 * itself with a boolean `transient` property.
 */
export function isTransientError(err: unknown): boolean {
  return verdictOf(err, new Set()) === 'transient';
}

function verdictOf(err: unknown, seen: Set<unknown>): Verdict {
  if (typeof err !== 'object' || err === null || seen.has(err)) return 'unknown';
  seen.add(err);
  const candidate = err as ErrorLike;
  const own = ownVerdict(candidate);
  if (own !== 'unknown') return own;
  if (Array.isArray(candidate.errors)) {
    // An AggregateError (several connection attempts failed): an outage if any part is one.
    const parts = candidate.errors.map((part) => verdictOf(part, seen));
    if (parts.includes('transient')) return 'transient';
    if (parts.includes('permanent')) return 'permanent';
  }
  return verdictOf(candidate.originalError ?? candidate.cause, seen);
}

function ownVerdict(err: ErrorLike): Verdict {
  if (typeof err.transient === 'boolean') return err.transient ? 'transient' : 'permanent';
  if (typeof err.type === 'string' && PERMANENT_KAFKA_ERRORS.has(err.type)) return 'permanent';
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code !== undefined) {
    if (NETWORK_ERROR_CODES.has(code)) return 'transient';
    if (SQLSTATE.test(code)) {
      return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2))
        ? 'transient'
        : 'permanent';
    }
  }
  // kafkajs: every failure but a record the broker refused is about reaching or electing a broker.
  if (typeof err.name === 'string' && err.name.startsWith('KafkaJS')) {
    const wrapped = err.originalError ?? err.cause;
    return wrapped !== undefined && verdictOf(wrapped, new Set()) === 'permanent'
      ? 'permanent'
      : 'transient';
  }
  if (typeof err.message === 'string' && CONNECTION_LOST.test(err.message)) return 'transient';
  return 'unknown';
}

/** The kafkajs protocol error types in an error and in what it wraps. */
function kafkaErrorTypes(err: unknown): string[] {
  const types: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const candidate = current as ErrorLike;
    if (typeof candidate.type === 'string') types.push(candidate.type);
    current = candidate.originalError ?? candidate.cause;
  }
  return types;
}

/** True when the broker rejected the records themselves, so retrying them cannot help. */
export function isPermanentPublishError(err: unknown): boolean {
  return kafkaErrorTypes(err).some((type) => PERMANENT_KAFKA_ERRORS.has(type));
}

/** True when the broker refused the records for their size. */
export function isTooLargeError(err: unknown): boolean {
  return kafkaErrorTypes(err).some(
    (type) => type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE',
  );
}
