import { defineConfig } from 'vitest/config';

// Tests that need no Kafka nor S3: the DSL, the Delta log's pure parts, batching, column building,
// a job's batch commits, the commit protocol on a local disk, Parquet encoding, the fetch order, the
// reader's positions and a job's trigger, limit and --once decisions. They run in a project of their
// own (`npm run test:unit`), so they never wait for a broker.
const UNIT = [
  'test/dsl/**/*.test.ts',
  'test/api/catalog.test.ts',
  'test/api/event-builder.test.ts',
  'test/api/request-encoding.test.ts',
  'test/bench/**/*.test.ts',
  'test/bin/**/*.test.ts',
  'test/runtime/batch-commits.test.ts',
  'test/runtime/commit-protocol.test.ts',
  'test/runtime/processing/**/*.test.ts',
  'test/runtime/fetch/fetch-order.test.ts',
  'test/runtime/fetch/fetch-wire.test.ts',
  'test/runtime/fetch/record-batches.test.ts',
  'test/runtime/parquet/**/*.test.ts',
  'test/runtime/prefilter/**/*.test.ts',
  'test/runtime/decisions/**/*.test.ts',
  'test/table/delta-log.test.ts',
  'test/console/sql-allowlist.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      // Everything else talks to a real broker and a real S3 (MinIO), which the global setups provide.
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: UNIT, globalSetup: ['test/support/kafka-global-setup.ts', 'test/support/s3-global-setup.ts'] },
      },
    ],
  },
});
