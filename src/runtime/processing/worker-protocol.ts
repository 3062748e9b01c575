import type { Expr } from '../../dsl/filter-ast.js';
import type { JobSpec } from '../../dsl/job-spec.js';
import type { PartitionValues } from '../../dsl/partition-values.js';
import type { AbortedTransaction } from '../../kafka/fetch-wire.js';

// The messages between the runtime's main thread and a processing thread. Messages to one thread
// are handled in the order sent, which is what makes a `seal` cover every record sent before it.

/** Main thread -> processing thread. Those with an `id` are answered with a reply of that id. */
export type ToProcessing =
  /** A job the thread will process records for; it compiles it itself (code cannot be sent) from the checked tree. */
  | { type: 'add-job'; job: number; spec: JobSpec; filterTree: Expr | undefined }
  | { type: 'remove-job'; job: number }
  /**
   * The job's open batch of `partition` starts (again) at checkpoint `from`, taking records from
   * `next` on (beyond or below `from` when the log moved under the checkpoint: see startOffset);
   * any open one is dropped.
   */
  | { type: 'open'; job: number; partition: number; from: number; next: number }
  /** The job's open batch of `partition` keeps what it holds and takes records from `next` on (the log restarted below it). */
  | { type: 'jump'; job: number; partition: number; next: number }
  /** The job no longer holds `partition`: its open batch is dropped. */
  | { type: 'close'; job: number; partition: number }
  /**
   * Kafka record batches of one partition (the first `length` bytes of `recordBatches`, as fetched) for
   * the jobs listed: records before `from` are skipped, and each job takes those from its own next offset.
   */
  | { type: 'records'; id: number; topic: string; partition: number; jobs: number[]; recordBatches: ArrayBuffer; length: number; from: number; aborted: AbortedTransaction[] }
  /** Takes the job's open batch of `partition` out to be committed. */
  | { type: 'seal'; id: number; job: number; partition: number };

/** The size of a job's open batch of one partition, as the flush bounds count it. */
export interface OpenBatchReport {
  job: number;
  partition: number;
  /** The offset the open batch starts at: a report about an already sealed batch is told apart by it. */
  from: number;
  rows: number;
  rejectedRows: number;
  bytes: number;
}

/** A record that stops a job with `on_bad_record: fail`; the job's open batch ends before it. */
export interface BadRecordReport {
  job: number;
  partition: number;
  offset: number;
  reason: string;
  /** The whole message, when the job stops for a limit rather than a bad record (BadRecordError.line). */
  line?: string;
}

/** What one `records` message did. */
export interface ProcessedReply {
  type: 'processed';
  id: number;
  /** The record batches' buffer, handed back for the next records. */
  recordBatches: ArrayBuffer;
  batches: OpenBatchReport[];
  failures: BadRecordReport[];
}

/** A sealed batch as Arrow IPC streams (one per table partition), covering offsets [from, next). */
export interface SealedReply {
  type: 'sealed';
  id: number;
  partition: number;
  from: number;
  next: number;
  groups: [partition: PartitionValues, ipc: Uint8Array][];
  rejected: Uint8Array | undefined;
  rows: number;
  rejectedRows: number;
  skippedRows: number;
  readRecords: number;
}

export interface ErrorReply {
  type: 'error';
  id: number;
  message: string;
}

export type FromProcessing = ProcessedReply | SealedReply | ErrorReply;
