import { KafkaConfigError, kafkaConfigFromEnv } from './config';

describe('kafkaConfigFromEnv', () => {
  it('defaults to the local broker and the given client id', () => {
    expect(kafkaConfigFromEnv({}, 'flint-evaluator')).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'flint-evaluator',
      ssl: false,
      sslCaFile: undefined,
      sasl: undefined,
      topicPartitions: 3,
      replicationFactor: 1,
      connectionTimeoutMs: 3000,
      sessionTimeoutMs: 10_000,
    });
  });

  it('reads a secured cluster from the environment', () => {
    const config = kafkaConfigFromEnv(
      {
        KAFKA_BROKERS: 'b1.example:9093, b2.example:9093',
        KAFKA_CLIENT_ID: 'custom-id',
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'flint',
        KAFKA_SASL_PASSWORD: 's3cret',
        KAFKA_TOPIC_PARTITIONS: '12',
        KAFKA_REPLICATION_FACTOR: '3',
        KAFKA_CONNECTION_TIMEOUT_MS: '10000',
        KAFKA_SESSION_TIMEOUT_MS: '45000',
      },
      'flint-api',
    );
    expect(config).toEqual({
      brokers: ['b1.example:9093', 'b2.example:9093'],
      clientId: 'custom-id',
      ssl: true,
      sslCaFile: '/etc/kafka/ca.pem',
      sasl: { mechanism: 'scram-sha-512', username: 'flint', password: 's3cret' },
      topicPartitions: 12,
      replicationFactor: 3,
      connectionTimeoutMs: 10000,
      sessionTimeoutMs: 45_000,
    });
  });

  it('treats empty variables as unset', () => {
    const config = kafkaConfigFromEnv({ KAFKA_BROKERS: '', KAFKA_SSL: '' }, 'flint-api');
    expect(config.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.ssl).toBe(false);
  });

  it.each([
    [
      { KAFKA_SASL_MECHANISM: 'plain' },
      [
        'KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set (plain)',
        'KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set (plain)',
      ],
    ],
    [
      { KAFKA_SASL_USERNAME: 'flint', KAFKA_SASL_PASSWORD: 'x' },
      ['KAFKA_SASL_MECHANISM: required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set'],
    ],
    [
      { KAFKA_SASL_MECHANISM: 'gssapi' },
      ['KAFKA_SASL_MECHANISM: expected one of plain, scram-sha-256, scram-sha-512'],
    ],
    [{ KAFKA_BROKERS: 'localhost' }, ['KAFKA_BROKERS.0: each broker must be host:port']],
    [{ KAFKA_BROKERS: ' , ' }, ['KAFKA_BROKERS: at least one broker is needed']],
    [{ KAFKA_SSL: 'yes' }, ['KAFKA_SSL: expected true or false']],
    [{ KAFKA_SSL_CA_FILE: '/ca.pem' }, ['KAFKA_SSL: must be true when KAFKA_SSL_CA_FILE is set']],
    [{ KAFKA_TOPIC_PARTITIONS: 'three' }, ['KAFKA_TOPIC_PARTITIONS: expected a whole number']],
    [{ KAFKA_REPLICATION_FACTOR: '0' }, ['KAFKA_REPLICATION_FACTOR: expected a number above 0']],
    [
      { KAFKA_CONNECTION_TIMEOUT_MS: '1.5' },
      ['KAFKA_CONNECTION_TIMEOUT_MS: expected a whole number'],
    ],
    [
      { KAFKA_SESSION_TIMEOUT_MS: '3000' },
      ['KAFKA_SESSION_TIMEOUT_MS: at least 6000 (the broker refuses shorter sessions by default)'],
    ],
    [{ KAFKA_CLIENT_ID: 'has space' }, ['KAFKA_CLIENT_ID: letters, digits']],
  ])('rejects %j with a message naming the variable', (env, expected) => {
    let error: unknown;
    try {
      kafkaConfigFromEnv(env, 'flint-api');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KafkaConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid Kafka configuration:/);
    for (const part of expected) expect(message).toContain(part);
  });

  it('never puts the SASL password in an error message', () => {
    expect(() =>
      kafkaConfigFromEnv({ KAFKA_SASL_PASSWORD: 'hunter2-secret' }, 'flint-api'),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });
});
