import { OwnedTable } from '../../parquet/owned-table.js';
import type { SealedReply } from '../processing/worker-protocol.js';
import type { JobStore } from '../../table/job-store.js';

/** What one partition's commit wrote, for the batch log line and the metrics. */
export type FlushResult = {
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
} & ({ outcome: 'committed' } | { outcome: 'fenced'; resumeAt: number });

/** Hands a partition's sealed batch to the job's table store as Arrow tables, and reports what the commit did. */
export async function commitSealedBatch(topic: string, sealed: SealedReply, store: JobStore): Promise<FlushResult> {
  const started = performance.now();
  // The tables view the IPC bytes the processing thread handed over, and own them: the store's
  // encoder takes them on.
  const groups = sealed.groups.map(([partition, ipc]) => ({ partition, rows: OwnedTable.fromIpcStream(ipc) }));
  const rejected = sealed.rejected ? OwnedTable.fromIpcStream(sealed.rejected) : undefined;
  const result = await store.commit({ topic, partition: sealed.partition, from: sealed.from, next: sealed.next, groups, rejected });
  const common = {
    partition: sealed.partition,
    from: sealed.from,
    next: sealed.next,
    readRecords: sealed.readRecords,
    rows: sealed.rows,
    rejected: sealed.rejectedRows,
    skipped: sealed.skippedRows,
    durationMs: Math.round(performance.now() - started),
  };
  return result.outcome === 'committed'
    ? { ...common, outcome: 'committed', files: result.files, bytes: result.bytes }
    : { ...common, outcome: 'fenced', resumeAt: result.resumeAt, files: [], bytes: 0 };
}
