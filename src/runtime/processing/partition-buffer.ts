import type { ColumnType, OutputValue } from '../../dsl/job-spec.js';
import type { BatchValue } from '../batch/column-accumulators.js';
import { ColumnBatch } from '../batch/column-batch.js';
import { DEAD_LETTER_COLUMNS } from '../../dsl/dead-letters.js';
import type { PartitionValues } from '../../dsl/partition-values.js';

/** How many emptied batches a buffer keeps for reuse: one per open `dt` partition is typical. */
const MAX_SPARE = 2;

/** A batch taken out of a partition buffer to be committed, covering offsets [from, next). */
export interface SealedBatch {
  partition: number;
  from: number;
  next: number;
  /** Output rows by table partition (keys from the job's partition keyer, or UNPARTITIONED). */
  groups: Map<PartitionValues, ColumnBatch>;
  rejected: ColumnBatch | undefined;
  rows: number;
  rejectedRows: number;
  skippedRows: number;
  readRecords: number;
}

/**
 * The open, uncommitted batch of one Kafka partition for one job: output rows grouped by the
 * table partition they go to (values of the sink's partition_by, or UNPARTITIONED), dead letters, and the
 * offset range [from, next) they cover. `seal()` hands the batch over to be committed while the
 * buffer goes on filling fresh batches, so reading and committing overlap.
 */
export class PartitionBuffer {
  // Keyed by identity: the partition keyer gives one object per partition.
  private groups = new Map<PartitionValues, ColumnBatch>();
  private rejected: ColumnBatch | undefined;
  // Batches back from a commit, emptied for reuse: reusing their buffers is several times cheaper
  // than growing new ones (bench/parquet-writers.md).
  private readonly spareRows: ColumnBatch[] = [];
  private spareRejected: ColumnBatch | undefined;
  /** The first offset not yet committed: the checkpoint the open batch commits from. */
  from: number;
  /** The next offset to read; every record below it is in the open batch or committed. */
  next: number;
  rows = 0;
  rejectedRows = 0;
  skippedRows = 0;
  readRecords = 0;
  bytes = 0;

  constructor(
    readonly partition: number,
    start: number,
    private readonly columns: { name: string; type: ColumnType }[],
  ) {
    this.from = start;
    this.next = start;
  }

  /** How many table partitions the open batch has rows for. */
  get groupCount(): number {
    return this.groups.size;
  }

  /** Whether the open batch has rows for `partition` (the same object the partition keyer gave). */
  hasGroup(partition: PartitionValues): boolean {
    return this.groups.has(partition);
  }

  /** Adds an output row (copied) to the batch of `partition`. */
  addRow(partition: PartitionValues, row: readonly BatchValue[]): void {
    let batch = this.groups.get(partition);
    if (batch === undefined) {
      batch = this.spareRows.pop() ?? new ColumnBatch(this.columns);
      this.groups.set(partition, batch);
    }
    batch.append(row);
    this.rows++;
  }

  /** Adds a dead-letter row (copied). */
  addRejected(row: OutputValue[]): void {
    if (this.rejected === undefined) {
      this.rejected = this.spareRejected ?? new ColumnBatch(DEAD_LETTER_COLUMNS);
      this.spareRejected = undefined;
    }
    this.rejected.append(row);
    this.rejectedRows++;
  }

  /** Counts the record at `offset` of `bytes` input bytes as read, whatever became of it. */
  countRead(offset: number, bytes: number): void {
    this.bytes += bytes;
    this.readRecords++;
    this.next = offset + 1;
  }

  /** True when records were read since the last seal, so a commit would move the checkpoint. */
  get dirty(): boolean {
    return this.next !== this.from;
  }

  /** Takes the open batch out to be committed; the buffer starts again empty at `next`. */
  seal(): SealedBatch {
    const sealed: SealedBatch = {
      partition: this.partition,
      from: this.from,
      next: this.next,
      groups: this.groups,
      rejected: this.rejected,
      rows: this.rows,
      rejectedRows: this.rejectedRows,
      skippedRows: this.skippedRows,
      readRecords: this.readRecords,
    };
    this.groups = new Map();
    this.rejected = undefined;
    this.from = this.next;
    this.rows = this.rejectedRows = this.skippedRows = this.readRecords = this.bytes = 0;
    return sealed;
  }

  /** Takes back a sealed batch's column batches, once committed (or dropped), for reuse. */
  recycle(sealed: SealedBatch): void {
    for (const batch of sealed.groups.values()) {
      if (this.spareRows.length >= MAX_SPARE) break;
      batch.reset();
      this.spareRows.push(batch);
    }
    if (sealed.rejected && !this.spareRejected) {
      sealed.rejected.reset();
      this.spareRejected = sealed.rejected;
    }
  }

  /** Drops the open batch and starts again at `offset` (after a fence). */
  restartAt(offset: number): void {
    this.recycle(this.seal());
    this.from = this.next = offset;
  }

  /**
   * Takes records from `next` on, in the same open batch, which still commits from `from`: the log
   * moved under the checkpoint (records past it deleted, or the topic created again with offsets
   * below it), so the batch's commit moves the checkpoint from `from` to wherever the records end,
   * across the gap, in one compare-and-set. Records below `next` are re-deliveries from then on.
   */
  jumpTo(next: number): void {
    this.next = next;
  }
}
