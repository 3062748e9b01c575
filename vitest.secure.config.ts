import { defineConfig } from 'vitest/config';

// The core of the integration suite again, over SASL_SSL: the round trip, exactly once under
// kill -9, a rebalance and the API, every client reading the connection settings from
// KAFKA_CONFIG_FILE (set by the global setup to the local broker's SCRAM-SHA-512 file); the tests'
// kafkajs reference client checks from the plaintext listener. `npm run test:secure`.
export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    include: [
      'test/runtime/round-trip.int.test.ts',
      'test/runtime/crash-recovery.int.test.ts',
      'test/runtime/rebalance.int.test.ts',
      'test/api/server.int.test.ts',
    ],
    globalSetup: ['test/support/kafka-secure-global-setup.ts', 'test/support/s3-global-setup.ts'],
  },
});
