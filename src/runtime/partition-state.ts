import type { OpenBatchReport } from './processing/worker-protocol.js';

/**
 * One partition of a job as the main thread tracks it: the offsets handed to processing since the
 * last commit, the open batch's size as the processing thread last reported it (for the flush
 * bounds), and a fence to apply. The batch itself lives on the processing thread.
 */
export class PartitionState {
  /** The first offset not yet committed: the checkpoint the open batch commits from. */
  from: number;
  /** The next offset to hand over; every record below it is in the open batch or committed. */
  next: number;
  rows = 0;
  rejectedRows = 0;
  /** Input bytes in the open batch. */
  bytes = 0;
  /** Set when a commit was fenced: the checkpoint to restart from; no record is handed over meanwhile. */
  fencedAt: number | undefined;

  /** Starts at checkpoint `from`, handing over records from `next` on (see `jumpTo`). */
  constructor(
    readonly partition: number,
    from: number,
    next = from,
  ) {
    this.from = from;
    this.next = next;
  }

  /** True when records were handed over since the last seal, so a commit would move the checkpoint. */
  get dirty(): boolean {
    return this.next !== this.from;
  }

  /** The open batch was sealed: the next one starts at `next`, empty. */
  sealed(): void {
    this.from = this.next;
    this.rows = this.rejectedRows = this.bytes = 0;
  }

  /** A size the processing thread reported, unless it is about a batch sealed since. */
  reported(report: Pick<OpenBatchReport, 'from' | 'rows' | 'rejectedRows' | 'bytes'>): void {
    if (report.from !== this.from) return;
    this.rows = report.rows;
    this.rejectedRows = report.rejectedRows;
    this.bytes = report.bytes;
  }

  /** Drops the open batch and starts again at `offset` (after a fence). */
  restartAt(offset: number): void {
    this.from = this.next = offset;
    this.rows = this.rejectedRows = this.bytes = 0;
    this.fencedAt = undefined;
  }

  /**
   * Hands over records from `next` on, keeping the open batch and its `from`: the log moved under
   * the checkpoint (see startOffset), and the batch's commit moves the checkpoint across the gap,
   * in one compare-and-set. `next` may be below `from` (a topic created again): the batch is then
   * dirty even before it holds a record, and committing it takes the checkpoint back to the new log.
   */
  jumpTo(next: number): void {
    this.next = next;
  }
}
