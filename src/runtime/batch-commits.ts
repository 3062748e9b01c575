import { commitSealedBatch, type FlushResult } from './batch-flusher.js';
import type { Logger } from './logger.js';
import type { SealedReply } from './processing/worker-protocol.js';
import type { JobStore } from '../table/job-store.js';

interface BatchCommitsOptions {
  /** The job's name, as logs give it. */
  job: string;
  topic: string;
  store: JobStore;
  log: Logger;
  /** A batch is in the table: the job's consumer group moves `partition` on to `next`. */
  commitOffset(partition: number, next: number): void;
  /** A batch is in the table and logged. */
  committed?(result: FlushResult): void;
}

/**
 * One job's commits to its table: the commit in flight per partition, which runs while reading
 * goes on, and the first one that failed, which every later wait throws (the job then fails).
 */
export class BatchCommits {
  /**
   * Per partition, the commit in flight (at most one: sealing the next waits for it). It never
   * rejects: a failure is kept in `commitError`.
   */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** The first commit that failed; the next flush throws it and the job fails. */
  private commitError: Error | undefined;

  constructor(private readonly options: BatchCommitsOptions) {}

  /**
   * Commits the batch `sealing` brings for `partition` once it is sealed. A commit another member
   * fenced calls `fenced` with the checkpoint to resume at, and commits nothing.
   */
  start(partition: number, sealing: Promise<SealedReply>, fenced: (resumeAt: number) => void): void {
    this.inFlight.set(partition, this.commit(sealing, fenced));
  }

  /** Waits for the commit in flight on `partition`; throws if a commit failed. */
  async waitFor(partition: number): Promise<void> {
    await this.inFlight.get(partition);
    this.throwCommitError();
  }

  /** Waits for the commits in flight; throws if one failed. */
  async settled(): Promise<void> {
    await this.landed();
    this.throwCommitError();
  }

  /** Waits for the commits in flight to land or fail; throws nothing. */
  async landed(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }

  private throwCommitError(): void {
    if (this.commitError) throw this.commitError;
  }

  private async commit(sealing: Promise<SealedReply>, fenced: (resumeAt: number) => void): Promise<void> {
    const { job, topic, store, log } = this.options;
    try {
      const result = await commitSealedBatch(topic, await sealing, store);
      const { partition } = result;
      if (result.outcome === 'fenced') {
        // Applied at the next flush, inside `exclusive`; until then the buffer takes no record.
        fenced(result.resumeAt);
        log.warn({ job, partition, next: result.resumeAt }, 'batch fenced by another committer; resuming at its checkpoint');
        return;
      }
      this.options.commitOffset(partition, result.next);
      log.info(
        {
          job,
          partition,
          offsets: [result.from, result.next],
          read: result.readRecords,
          written: result.rows,
          rejected: result.rejected,
          skipped: result.skipped,
          files: result.files,
          bytes: result.bytes,
          durationMs: result.durationMs,
        },
        'batch committed',
      );
      this.options.committed?.(result);
    } catch (err) {
      this.commitError ??= err as Error;
    }
  }
}
