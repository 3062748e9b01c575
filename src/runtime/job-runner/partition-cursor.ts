import type { OpenBatchReport } from '../processing/worker-protocol.js';

/**
 * One partition of one job on the main thread, and the sole owner of its position there: the
 * offsets handed to processing since the last commit, the open batch's size as the processing
 * thread last reported it (for the commit bounds), and a fence to apply. The batch itself lives on
 * the processing thread.
 *
 * Invariants: every record below `next` is in the open batch or committed; records from `from` to
 * `next` are the open batch (unless the log moved under the checkpoint: see `jumpTo`); while
 * `fence` is set the cursor takes no record.
 */
export class PartitionCursor {
  /** The first offset not yet committed: the checkpoint the open batch commits from. */
  from: number;
  /** The next offset to hand over. */
  next: number;
  rows = 0;
  rejectedRows = 0;
  /** Input bytes in the open batch. */
  bytes = 0;
  /** Set when a commit was fenced: the checkpoint to restart from. */
  fence: number | undefined;

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

  /** The offset this cursor takes records from, or undefined while a fence waits to be applied. */
  get takesFrom(): number | undefined {
    return this.fence === undefined ? this.next : undefined;
  }

  /**
   * Takes the records of a delivery that ends at `next` (exclusive), if it holds any this cursor
   * has not taken: returns the offset it takes them from and moves on to `next`, else undefined.
   * The caller posts them to processing in the same synchronous step, so that a seal posted later
   * comes after them.
   */
  take(next: number): number | undefined {
    const from = this.takesFrom;
    if (from === undefined || from >= next) return undefined;
    this.next = next;
    return from;
  }

  /** Starts the next open batch at `next`, empty: the open one was sealed. */
  startNextBatch(): void {
    this.from = this.next;
    this.rows = this.rejectedRows = this.bytes = 0;
  }

  /** Takes the size the processing thread reported, unless it is about a batch sealed since. */
  setSize(report: Pick<OpenBatchReport, 'from' | 'rows' | 'rejectedRows' | 'bytes'>): void {
    if (report.from !== this.from) return;
    this.rows = report.rows;
    this.rejectedRows = report.rejectedRows;
    this.bytes = report.bytes;
  }

  /** Drops the open batch and starts again at `offset` (after a fence). */
  restartAt(offset: number): void {
    this.from = this.next = offset;
    this.rows = this.rejectedRows = this.bytes = 0;
    this.fence = undefined;
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

  /**
   * Ends the open batch just before a bad record at `offset`: processing stopped the batch there,
   * so records handed over after it are not in it. The floor is the lower of `from` and `next`:
   * after a topic was created again the batch reads offsets below its checkpoint (see `jumpTo`).
   */
  cutAt(offset: number): void {
    this.next = Math.max(Math.min(this.from, this.next), Math.min(this.next, offset));
  }
}
