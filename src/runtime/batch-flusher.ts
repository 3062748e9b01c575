import { join } from 'node:path';
import type { CompiledJob } from '../dsl/job-spec.js';
import type { SealedBatch } from './partition-buffer.js';
import type { ColumnBatch } from './batch/column-batch.js';
import type { ParquetEncoder } from './parquet/parquet-encoder.js';
import { dataFileName, type TableLayout } from '../table/folder/layout.js';
import type { CommitOutcome, StagedFile, TableCommitter } from '../table/folder/commit-protocol.js';

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

/** Encodes a partition's sealed batch to Parquet and commits it with the table's commit protocol. */
export async function commitSealedBatch(
  job: CompiledJob,
  sealed: SealedBatch,
  layout: TableLayout,
  committer: TableCommitter,
  encoder: ParquetEncoder,
): Promise<FlushResult> {
  const started = performance.now();
  const topic = job.spec.source.topic;
  const fromText = String(sealed.from);
  const staged: StagedFile[] = [];
  let bytes = 0;
  let seq = 0;
  const stage = async (dir: string, batch: ColumnBatch) => {
    const data = await encoder.encode(batch);
    bytes += data.byteLength;
    staged.push(await committer.stage(data, join(dir, dataFileName(topic, sealed.partition, fromText, seq++))));
  };
  for (const [folder, batch] of sealed.groups) {
    if (batch.rowCount > 0) await stage(folder ? join(layout.table, folder) : layout.table, batch);
  }
  if (sealed.rejected && sealed.rejected.rowCount > 0) await stage(layout.rejected, sealed.rejected);

  const outcome = await committer.commit({
    topic,
    partition: sealed.partition,
    from: fromText,
    next: String(sealed.next),
    files: staged,
  });
  return {
    outcome,
    partition: sealed.partition,
    from: sealed.from,
    next: sealed.next,
    readRecords: sealed.readRecords,
    rows: sealed.rows,
    rejected: sealed.rejectedRows,
    skipped: sealed.skippedRows,
    files: staged.map((f) => f.final),
    bytes,
    durationMs: Math.round(performance.now() - started),
  };
}
