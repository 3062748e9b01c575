import type { ColumnType, OutputValue } from '../dsl/job-spec.js';
import { ColumnBatch } from './batch/column-batch.js';
import { DEAD_LETTER_COLUMNS } from './dead-letters.js';

/**
 * The open, uncommitted batch of one Kafka partition for one job: output rows grouped by the
 * folder they go to (a `dt=` partition, or '' for an unpartitioned table), dead letters, and the
 * offset range [from, next) they cover.
 */
export class PartitionBuffer {
  readonly groups = new Map<string, ColumnBatch>();
  rejected: ColumnBatch | undefined;
  /** The first offset not yet committed: the checkpoint this batch commits from. */
  from: number;
  /** The next offset to read; every record below it is in this batch or committed. */
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

  /** Adds an output row (copied) to the batch of `folder`. */
  addRow(folder: string, row: OutputValue[]): void {
    let batch = this.groups.get(folder);
    if (batch === undefined) {
      batch = new ColumnBatch(this.columns);
      this.groups.set(folder, batch);
    }
    batch.append(row);
    this.rows++;
  }

  /** Adds a dead-letter row (copied). */
  addRejected(row: OutputValue[]): void {
    this.rejected ??= new ColumnBatch(DEAD_LETTER_COLUMNS);
    this.rejected.append(row);
    this.rejectedRows++;
  }

  /** True when records were read since the last commit, so a commit would move the checkpoint. */
  get dirty(): boolean {
    return this.next !== this.from;
  }

  /** Empties the batch after a commit (or a fence), starting again at `offset`. */
  reset(offset: number): void {
    // Batches are kept and emptied rather than dropped: reusing their buffers is several times
    // cheaper than growing new ones (bench/parquet-writers.md). One that stayed empty goes.
    for (const [folder, batch] of this.groups) {
      if (batch.rowCount === 0) this.groups.delete(folder);
      else batch.reset();
    }
    this.rejected?.reset();
    this.from = offset;
    this.next = offset;
    this.rows = this.rejectedRows = this.skippedRows = this.readRecords = this.bytes = 0;
  }
}
