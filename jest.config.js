/** Unit specs live beside the code (`*.spec.ts`); integration tests against the real broker and
 * database live in `test/integration` and share one broker and one fresh database per run. */
const moduleNameMapper = {
  '^@flint/(contracts|kafka|store|service-kit|provider-sdk|telemetry|conditions)$':
    '<rootDir>/libs/$1/src/index.ts',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  // Integration tests wait on a real broker on a loaded 2-core machine; failures report well before this.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/scripts', '<rootDir>/test/deploy'],
      testMatch: ['**/*.spec.ts'],
      moduleNameMapper,
      transform,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
