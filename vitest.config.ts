import { defineConfig } from 'vitest/config';

// Tests are told apart by name: `*.int.test.ts` need a real Kafka broker and a real S3 (MinIO),
// which the integration project's global setups provide; every other `*.test.ts` needs neither and
// runs in the unit project (`npm run test:unit`), so it never waits for a broker.
const INTEGRATION = 'test/**/*.int.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    // Integration files spend most of their time waiting on brokers, triggers and child processes,
    // so one worker more than the cores keeps both busy (bench: .ci/run times in the commit body).
    maxWorkers: 3,
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [INTEGRATION] } },
      {
        extends: true,
        test: { name: 'integration', include: [INTEGRATION], globalSetup: ['test/support/kafka-global-setup.ts', 'test/support/s3-global-setup.ts'] },
      },
    ],
  },
});
