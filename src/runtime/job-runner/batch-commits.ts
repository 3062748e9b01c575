import { commitSealedBatch, type FlushResult } from './commit-sealed-batch.js';
import type { Logger } from '../../logger.js';
import type { SealedReply } from '../processing/worker-protocol.js';
import type { JobStore } from '../../table/job-store.js';

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
   * Per partition, the commit in flight (at most one: sealing the next waits for it), until it
   * settled. It never rejects: a failure is kept in `commitError`.
   */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** The first commit that failed; the next seal throws it and the job fails. */
  private commitError: Error | undefined;

  constructor(private readonly options: BatchCommitsOptions) {}

  /**
   * Commits the batch `sealing` brings for `partition` once it is sealed. A commit another member
   * fenced calls `fenced` with the checkpoint to resume at, and commits nothing.
   */
  commit(partition: number, sealing: Promise<SealedReply>, fenced: (resumeAt: number) => void): void {
    const running: Promise<void> = this.commitSealed(sealing, fenced).then(() => {
      if (this.inFlight.get(partition) === running) this.inFlight.delete(partition);
    });
    this.inFlight.set(partition, running);
  }

  /** The commit of `partition` still running, if one is; it never rejects. */
  running(partition: number): Promise<void> | undefined {
    return this.inFlight.get(partition);
  }

  /** Waits for the commit in flight on `partition`; throws if a commit failed. */
  async settle(partition: number): Promise<void> {
    await this.inFlight.get(partition);
    this.throwCommitError();
  }

  /**
   * Waits for every commit in flight to land or fail; then throws the first failure, unless
   * `rethrow` is false (a job that fails anyway lets its whole commits land before it leaves).
   */
  async settleAll(rethrow = true): Promise<void> {
    await Promise.all(this.inFlight.values());
    if (rethrow) this.throwCommitError();
  }

  private throwCommitError(): void {
    if (this.commitError) throw this.commitError;
  }

  private async commitSealed(sealing: Promise<SealedReply>, fenced: (resumeAt: number) => void): Promise<void> {
    const { job, topic, store, log } = this.options;
    try {
      const result = await commitSealedBatch(topic, await sealing, store);
      const { partition } = result;
      if (result.outcome === 'fenced') {
        // Applied by the job runner's next control step; until then its cursor takes no record.
        fenced(result.resumeAt);
        log.warn({ job, topic, partition, next: result.resumeAt }, 'batch fenced by another committer; resuming at its checkpoint');
        return;
      }
      this.options.commitOffset(partition, result.next);
      log.info(
        {
          job,
          topic,
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
