import { join } from 'node:path';
import type { CompiledJob } from '../dsl/job-spec.js';
import type { PartitionBuffer } from './partition-buffer.js';
import type { ParquetEncoder } from './parquet/parquet-encoder.js';
import { dataFileName, type TableLayout } from './sink/sink-layout.js';
import type { CommitOutcome, StagedFile, TableCommitter } from './sink/commit-protocol.js';

/** What one partition's commit wrote, for the batch log line and the metrics. */
export interface FlushResult {
  outcome: CommitOutcome;
  partition: number;
  from: number;
  next: number;
  readRecords: number;
  rows: number;
  rejected: number;
  skipped: number;
  files: string[];
  bytes: number;
  durationMs: number;
}

/** Encodes a partition's open batch to Parquet and commits it with the table's commit protocol. */
export async function flushPartition(
  job: CompiledJob,
  buffer: PartitionBuffer,
  layout: TableLayout,
  committer: TableCommitter,
  encoder: ParquetEncoder,
): Promise<FlushResult> {
  const started = performance.now();
  const topic = job.spec.source.topic;
  const fromText = String(buffer.from);
  const staged: StagedFile[] = [];
  let bytes = 0;
  let seq = 0;
  const stage = async (dir: string, batch: NonNullable<PartitionBuffer['rejected']>) => {
    const data = await encoder.encode(batch);
    bytes += data.byteLength;
    staged.push(await committer.stage(data, join(dir, dataFileName(topic, buffer.partition, fromText, seq++))));
  };
  for (const [folder, batch] of buffer.groups) {
    if (batch.rowCount > 0) await stage(folder ? join(layout.table, folder) : layout.table, batch);
  }
  if (buffer.rejected && buffer.rejected.rowCount > 0) await stage(layout.rejected, buffer.rejected);

  const outcome = await committer.commit({
    topic,
    partition: buffer.partition,
    from: fromText,
    next: String(buffer.next),
    files: staged,
  });
  return {
    outcome,
    partition: buffer.partition,
    from: buffer.from,
    next: buffer.next,
    readRecords: buffer.readRecords,
    rows: buffer.rows,
    rejected: buffer.rejectedRows,
    skipped: buffer.skippedRows,
    files: staged.map((f) => f.final),
    bytes,
    durationMs: Math.round(performance.now() - started),
  };
}
