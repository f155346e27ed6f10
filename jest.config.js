/** Unit specs live beside the code (`*.spec.ts`); integration tests against the real broker and
 * database live in `test/integration/<package>`, mirroring the source tree; end-to-end tests of the
 * whole stack live in `test/e2e`, the console's browser tests in `test/browser`. Integration, e2e
 * and browser share one broker and one fresh database per run (jest runs a global setup file once
 * however many projects name it). */
const moduleNameMapper = {
  '^@flint/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  '^@flint/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
  // Jest stays on 29 (docs/architecture.md says why), and jest 29 cannot require() an ES module,
  // which these ESM-only packages are; Node 24 can, so they are loaded with Node's own require.
  '^(commander|chokidar)$': '<rootDir>/test/support/native-require/$1.js',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  // Integration tests wait on a real broker on a loaded 2-core machine, two test files at a time
  // (`npm test`); each wait has its own, shorter timeout that names what never happened, and a test
  // of several waits (connect, drop, reconnect, run) may need them in turn.
  testTimeout: 300000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: '<rootDir>/test/support/node-environment.js',
      roots: [
        '<rootDir>/apps',
        '<rootDir>/libs',
        '<rootDir>/scripts',
        '<rootDir>/test/deploy',
        '<rootDir>/test/docs',
      ],
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/console/'],
      moduleNameMapper,
      transform,
    },
    {
      // The web console's logic (form and YAML mapping, diffs, parsers): browser code, compiled
      // with the console's own TypeScript settings.
      displayName: 'console',
      testEnvironment: '<rootDir>/test/support/node-environment.js',
      roots: ['<rootDir>/apps/console'],
      testMatch: ['**/*.spec.ts'],
      transform: {
        '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/apps/console/tsconfig.spec.json' }],
      },
    },
    {
      displayName: 'integration',
      testEnvironment: '<rootDir>/test/support/node-environment.js',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // `npm run test:e2e`: the guarantees a user relies on, through the whole stack.
      displayName: 'e2e',
      testEnvironment: '<rootDir>/test/support/node-environment.js',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.test.ts'],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // `npm run test:docs`: every shell and YAML block of README.md and docs/ runs against one
      // local stack, or says why it cannot (test/docs/doc-blocks.ts).
      displayName: 'docs',
      testEnvironment: '<rootDir>/test/support/node-environment.js',
      roots: ['<rootDir>/test/docs'],
      testMatch: ['**/*.test.ts'],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // The web console in a real browser (Debian's Chromium) against the whole stack.
      displayName: 'browser',
      testEnvironment: '<rootDir>/test/support/node-environment.js',
      roots: ['<rootDir>/test/browser'],
      testMatch: ['**/*.test.ts'],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // The Kafka client layer's own tests again, against a broker of the 3.9 line (the default broker
      // is the newest 4.x), so clusters on either line stay proven. Its broker starts only when
      // files of this project run.
      displayName: 'kafka-3.9',
      testEnvironment: '<rootDir>/test/support/node-environment.js',
      roots: ['<rootDir>/test/integration/kafka'],
      testMatch: ['**/*.test.ts'],
      moduleNameMapper,
      transform,
      setupFiles: ['<rootDir>/test/support/kafka-3-env.ts'],
      globalSetup: '<rootDir>/test/support/kafka-3-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/kafka-3-global-teardown.ts',
    },
  ],
};
