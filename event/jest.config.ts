import type { Config } from 'jest';

/**
 * Tests that start a server (the connector's, a stand-in, the Segment capture, a proxy) or the
 * connector in a process of its own are named *.integration.test.ts. JEST_SUITE=unit runs the others only,
 * JEST_SUITE=integration those only (npm run test:unit, npm run test:integration); unset, all run.
 */
const suite = process.env.JEST_SUITE;

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: [suite === 'integration' ? '**/*.integration.test.ts' : '**/*.test.ts'],
  ...(suite === 'unit' ? { testPathIgnorePatterns: ['\\.integration\\.test\\.ts$'] } : {}),
  // Dynamic imports name the compiled file (`./x.js`); in tests that is the TypeScript source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // Integration tests start real servers on loopback; leave room for their set-up.
  testTimeout: 20_000,
};

export default config;
