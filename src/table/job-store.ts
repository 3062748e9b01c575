import type { PartitionValues } from '../dsl/partition-values.js';
import type { OwnedTable } from '../parquet/owned-table.js';

// The one interface between the runtime and a job's tables, whatever their format (a Hive-style
// folder, or Delta Lake) and storage (a local disk, or S3). The runtime commits batches through it;
// query, tables, status and compaction read through it.

/** Output rows of one table partition: `{ dt: '2026-11-23' }`, or UNPARTITIONED. */
export interface PartitionRows {
  partition: PartitionValues;
  rows: OwnedTable;
}

/** One Kafka partition's batch, as the runtime hands it over: rows, dead letters, and the offsets [from, next) they cover. */
export interface TableBatch {
  topic: string;
  partition: number;
  from: number;
  next: number;
  /** Output rows, one group per table partition. */
  groups: readonly PartitionRows[];
  /** Dead letters in offset order, or undefined when there are none. */
  rejected: OwnedTable | undefined;
}

/** What a commit did: the batch landed, or another writer had committed that range first (read on from `resumeAt`). */
export type CommitResult =
  | { outcome: 'committed'; files: string[]; bytes: number }
  | { outcome: 'fenced'; resumeAt: number };

/** A topic-partition's committed position in the table. */
export interface CommittedOffset {
  /** The next offset to read. */
  next: number;
  /** When it was committed (ISO time), when the format keeps it. */
  committedAt: string | undefined;
}

/** A live data file, named so that DuckDB can read it (an absolute path or an `s3://` URL). */
export interface DataFile {
  url: string;
  bytes: number;
}

export interface CompactOptions {
  /** Also the current UTC day's partition, which is still being written. */
  includeToday: boolean;
  /** Partitions with fewer live files are left alone. */
  minFiles: number;
  now?: number;
}

export type CompactionResult =
  | { partition: string; outcome: 'compacted'; filesBefore: number; bytesBefore: number; bytesAfter: number; rows: number; lateFiles: number }
  | { partition: string; outcome: 'skipped'; reason: string };

export interface CompactionReport {
  /** One line per interrupted compaction found and finished or rolled back. */
  recovered: string[];
  results: CompactionResult[];
}

/** A job's output table and its dead-letter table, in one format and one storage. */
export interface JobStore {
  readonly format: 'parquet' | 'delta';
  /** Where the output table lives (a path or an `s3://` URL), for messages. */
  readonly location: string;
  /** Creates the tables if needed, finishes or cleans up what crashed writers left, checks the schema. Writers call it once. */
  open(): Promise<void>;
  /**
   * The committed position of every partition of `topic` that was ever committed. A pure read
   * (status and lag call it beside running writers): it changes nothing, and an interrupted commit
   * shows only once open() or compact() has settled it.
   */
  committedOffsets(topic: string): Promise<Map<number, CommittedOffset>>;
  /** Commits one partition's batch, exactly once: 'fenced' when the table had moved past `from`, and then nothing is written. */
  commit(batch: TableBatch): Promise<CommitResult>;
  /** The live data files of the output or the dead-letter table. */
  files(which: 'output' | 'rejected'): Promise<DataFile[]>;
  /** Rewrites the closed `dt` partitions' small files into one each, safe beside live writers. */
  compact(options: CompactOptions): Promise<CompactionReport>;
}
