import { randomUUID } from 'node:crypto';
import { checkJobText } from '../../src/dsl/check-job.js';
import { compileJob } from '../../src/dsl/compile-job.js';
import type { CompiledJob, OutputValue } from '../../src/dsl/job-spec.js';
import { ColumnBatch } from '../../src/runtime/batch/column-batch.js';
import { DEAD_LETTER_COLUMNS } from '../../src/dsl/dead-letters.js';
import { UNPARTITIONED } from '../../src/dsl/partition-values.js';
import { OwnedTable } from '../../src/parquet/owned-table.js';
import type { TableBatch } from '../../src/table/job-store.js';

/** A unique table location under the test bucket (the local MinIO the test setup starts). */
export function s3TablePath(name: string): string {
  return `s3://gamepipe/test-${randomUUID().slice(0, 8)}/${name}`;
}

/** A compiled delta job writing `schema` (YAML lines) to `path`, through the real job-file checks. */
export function deltaJob(path: string, schema = 'size: string\n  quantity: int', extraSink = 'partition_by: [dt]'): CompiledJob {
  const text = `job: horses\nsource: { topic: events }\nschema:\n  ${schema}\nsink:\n  path: ${path}\n  format: delta\n  ${extraSink}\n`;
  const { spec, diagnostics } = checkJobText('horses.job.yaml', text);
  if (!spec) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return compileJob(spec);
}

/** A batch of `rows` for partition 0, [from, next), on day `dt` (when partitioned), with dead letters at `badOffsets`. */
export function horseBatch(job: CompiledJob, from: number, next: number, rows: OutputValue[][], badOffsets: number[] = [], dt = '2026-11-20'): TableBatch {
  const batch = new ColumnBatch(job.columns);
  for (const row of rows) batch.append(row);
  const rejected = new ColumnBatch(DEAD_LETTER_COLUMNS);
  for (const offset of badOffsets) rejected.append(['not JSON', `{bad ${offset}`, 'events', 0, BigInt(offset), Date.UTC(2026, 10, 20)]);
  return {
    topic: 'events',
    partition: 0,
    from,
    next,
    groups: rows.length ? [{ partition: job.spec.sink.partitionBy.length ? { dt } : UNPARTITIONED, rows: OwnedTable.of(batch.toArrowTable()) }] : [],
    rejected: badOffsets.length ? OwnedTable.of(rejected.toArrowTable()) : undefined,
  };
}
