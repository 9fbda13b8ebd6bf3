// Three test tiers (docs: STYLE "Tests in three tiers"):
//   unit         *.spec.ts beside the code, with fakes — needs nothing running;
//   integration  *.int-spec.ts against a real PostgreSQL and a real Kafka broker;
//   e2e          test/**/*.e2e-spec.ts, the whole path over HTTP and Kafka.
// test/stack/global-setup.mjs starts ONE PostgreSQL and ONE broker for the whole run (unless
// DATABASE_URL / KAFKA_BROKERS are set) and passes them to the workers through process.env.
// It is declared on the two tiers that need servers, not at the root: Jest runs a project's
// globalSetup only when at least one of its tests is selected, and runs the same module only
// once for both projects. So `--selectProjects unit`, or `jest some.spec.ts`, starts nothing.
// (A root-level hook cannot tell: Jest 29 keeps --selectProjects out of its globalConfig.)
//
// JEST_JSON_OUTPUT=<file> also writes Jest's JSON results there (used by .ci/run).

/**
 * Transpile only (isolatedModules): fast; type checking is `npm run lint:types`'s job.
 * @type {import('jest').Config['transform']}
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }] };

/**
 * @param {string} displayName
 * @param {string[]} roots
 * @param {string[]} testMatch
 * @param {import('jest').Config} [extra]
 * @returns {import('jest').Config}
 */
const tier = (displayName, roots, testMatch, extra = {}) => ({
  displayName,
  roots,
  testMatch,
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@app/contracts(|/.*)$': '<rootDir>/libs/contracts/src$1',
    '^@test/support/(.*)$': '<rootDir>/test/support/$1',
  },
  ...extra,
});

const withServers = {
  globalSetup: '<rootDir>/test/stack/global-setup.mjs',
  globalTeardown: '<rootDir>/test/stack/global-teardown.mjs',
  // Real servers answer slower than fakes: 60 s per test instead of Jest's 5 s.
  setupFilesAfterEnv: ['<rootDir>/test/stack/slow-test-timeout.js'],
};

const jsonOutput = process.env.JEST_JSON_OUTPUT
  ? { testResultsProcessor: '<rootDir>/test/stack/write-json-results.js' }
  : {};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  ...jsonOutput,
  projects: [
    tier('unit', ['<rootDir>/apps', '<rootDir>/libs'], ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts']),
    tier(
      'integration',
      ['<rootDir>/apps', '<rootDir>/libs'],
      ['<rootDir>/apps/**/*.int-spec.ts', '<rootDir>/libs/**/*.int-spec.ts'],
      withServers,
    ),
    tier('e2e', ['<rootDir>/test'], ['<rootDir>/test/**/*.e2e-spec.ts'], withServers),
  ],
};
