// One jest run, three projects: pure unit tests, the event-store contract suite, HTTP e2e.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2023',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  },
];
const moduleNameMapper = { '^@chuishao/([a-z-]+)$': '<rootDir>/libs/$1/src' };
const common = { transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node' };

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...common, displayName: 'contract', testMatch: ['<rootDir>/libs/**/*.contract-spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/**/*.e2e-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/e2e-setup.ts'],
    },
    // The Kafka relay against a real broker (scripts/kafka/kafka.sh on its own port, see test/relay/broker.ts).
    {
      ...common,
      displayName: 'relay',
      testMatch: ['<rootDir>/apps/relay/**/*.kafka-spec.ts'],
      globalSetup: '<rootDir>/test/relay/global-setup.ts',
      globalTeardown: '<rootDir>/test/relay/global-teardown.ts',
    },
  ],
};
