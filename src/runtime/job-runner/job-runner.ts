import type { CompiledJob } from '../../dsl/job-spec.js';
import { SerialQueue } from '../../serial-queue.js';
import type { JobStore } from '../../table/job-store.js';
import { BadRecordError } from '../bad-record-error.js';
import { batchDue, pastBounds } from '../decisions/batch-due.js';
import { hasReadTo, onceProgress, type OnceProgress } from '../decisions/once-progress.js';
import { startOffset } from '../decisions/start-offset.js';
import type { Logger } from '../../logger.js';
import type { ProcessingPool } from '../processing/processing-pool.js';
import type { BadRecordReport, OpenBatchReport } from '../processing/worker-protocol.js';
import { BatchCommits } from './batch-commits.js';
import type { FlushResult } from './commit-sealed-batch.js';
import type { GroupMember } from './group-member.js';
import { PartitionCursor } from './partition-cursor.js';
import type { ReaderLink, Watermarks } from './reader-link.js';

/** How a job reports its life to whoever supervises it (logs, metrics, status). */
export interface JobEvents {
  onCommit?(job: string, result: FlushResult): void;
  /** `topic`: the topic of the runner that says it (a job of several topics has one per topic). */
  onState?(job: string, state: JobState, error?: string, topic?: string): void;
}

export type JobState = 'starting' | 'running' | 'stopped' | 'failing' | 'done';

/** The processing calls a job runner makes (the ProcessingPool's). */
export type JobProcessing = Pick<ProcessingPool, 'addJob' | 'removeJob' | 'open' | 'jump' | 'close' | 'seal'>;

export interface JobRunnerOptions {
  /** The topic this runner reads: one of the job's topics (the job's one topic when absent). */
  topic?: string;
  /** The job's tables; the supervisor opens them once per version of the job and shares them with lag and compaction. */
  store: JobStore;
  /** The job's membership in its consumer group, joined by `start`. */
  member: GroupMember;
  /** Where this job's records are processed and its open batches held. */
  processing: JobProcessing;
  log: Logger;
  events?: JobEvents;
  /** How often the runner looks whether its batches are due (and, with --once, whether it is done). */
  tickMs?: number;
  /** The clock the trigger is measured with. */
  now?: () => number;
}

const TICK_MS = 100;

/**
 * Runs one job on one of its topics (a job of several topics has a runner per topic, all writing
 * to the job's one table, whose checkpoints are per topic-partition): its membership in the
 * job's consumer group for that topic (which gives it its partitions),
 * one cursor per partition it holds (where the job reads it and what its open batch spans; the
 * batches themselves are held on a processing thread), its trigger, and each batch's steps:
 * `due` (trigger or bounds), `seal`, `commit`, `settle`; a fenced commit repositions its cursor
 * at the checkpoint that fenced it. With --once it ends the job once every partition it holds is
 * read to the end offsets and committed.
 *
 * Its control work (assignments, seals, fences, the end) runs in its own serial queue, so one
 * job's slow commit never holds up another job's. The topic reader asks it synchronously which
 * records of a delivery it takes (`take`), and hears from it only where it wants each partition
 * read from (ReaderLink.readFrom).
 */
export class JobRunner {
  readonly name: string;
  readonly topic: string;
  /** This job's id at the processing threads. */
  readonly processingId: number;
  private readonly cursors = new Map<number, PartitionCursor>();
  private readonly commits: BatchCommits;
  /** This job's control work, one piece at a time. */
  private readonly control = new SerialQueue();
  private reader: ReaderLink | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** True while a tick waits in the control queue: ticks do not pile up behind a slow commit. */
  private tickQueued = false;
  /** When this job last sealed a batch; 0 so the first records are committed at once. */
  private lastSeal = 0;
  /** Set (synchronously) once the job takes no record any more: it is leaving its group. */
  stopped = false;
  /** The bad record that stops this job (`on_bad_record: fail`), once processing met one. */
  private badRecord: BadRecordReport | undefined;
  /** With --once, the end offsets the topic had at start: the job ends when its partitions reach them. */
  private endOffsets: ReadonlyMap<number, number> | undefined;
  /** True once the group gave this job an assignment (possibly empty). */
  private assigned = false;
  /** Settles when the job has left its group, or stopped waiting for that (`LEAVE_WAIT_MS`). */
  left: Promise<void> = Promise.resolve();
  private ended!: { resolve(): void; reject(err: Error): void };
  /** Settles when the job ends: finished (--once), stopped, or failed (rejects with the cause). */
  readonly done: Promise<void>;
  private firstAssignment!: { resolve(applied: boolean): void; reject(err: Error): void };
  /**
   * Settles once the job applied the group's first assignment (true: it has started), or when it
   * ended before that: stopped (false) or failed (rejects with the cause). A start whose first
   * assignment fails (its watermarks could not be read) is a failed start, not a job that ran.
   */
  readonly assignedOnce: Promise<boolean>;

  constructor(
    readonly job: CompiledJob,
    private readonly options: JobRunnerOptions,
  ) {
    this.name = job.spec.job;
    this.topic = options.topic ?? job.spec.source.topic;
    this.processingId = options.processing.addJob(job);
    this.commits = new BatchCommits({
      job: this.name,
      topic: this.topic,
      store: options.store,
      log: options.log,
      commitOffset: (partition, next) => options.member.commitOffset(partition, next),
      committed: (result) => options.events?.onCommit?.(this.name, result),
    });
    this.done = new Promise<void>((resolve, reject) => (this.ended = { resolve, reject }));
    this.done.catch(() => {});
    this.assignedOnce = new Promise<boolean>((resolve, reject) => (this.firstAssignment = { resolve, reject }));
    this.assignedOnce.catch(() => {});
  }

  private get log(): Logger {
    return this.options.log;
  }

  private get processing(): JobProcessing {
    return this.options.processing;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** The offset this job takes records of `partition` from, or undefined when it takes none now. */
  takesFrom(partition: number): number | undefined {
    return this.stopped ? undefined : this.cursors.get(partition)?.takesFrom;
  }

  /**
   * Takes the records of a delivery of `partition` that ends at `next` (exclusive), if it holds
   * any this job has not taken: returns the offset it takes them from, else undefined. The caller
   * posts them to processing in the same synchronous step (see PartitionCursor.take).
   */
  take(partition: number, next: number): number | undefined {
    return this.stopped ? undefined : this.cursors.get(partition)?.take(next);
  }

  /**
   * While `partition`'s open batch is past its bounds (max_rows, max_bytes) and its previous
   * commit still runs, that commit: the reader holds the partition's next fetch until it settled,
   * so that the job holds at most one open and one committing batch per partition. Any other
   * time undefined: then a commit never holds up reading.
   */
  holdFor(partition: number): Promise<void> | undefined {
    const cursor = this.stopped ? undefined : this.cursors.get(partition);
    if (!cursor) return undefined;
    if (!pastBounds(cursor, this.job.spec.sink)) return undefined;
    return this.commits.running(partition);
  }

  /** Takes the size of an open batch processing reports; a batch past its bounds is sealed at once. */
  batchSize(report: OpenBatchReport): void {
    const cursor = this.cursors.get(report.partition);
    if (!cursor) return;
    cursor.setSize(report);
    if (this.due(this.now())) this.queueTick();
  }

  /**
   * Processing met a bad record of this job (`on_bad_record: fail`). Noted at once, so that no
   * --once decision taken meanwhile ends the job as done; the job then stops at the first bad
   * record seen, in its turn of the control queue: what came before it is committed, so it stops
   * exactly there.
   */
  badRecordSeen(report: BadRecordReport): void {
    this.badRecord ??= report;
    this.cursors.get(report.partition)?.cutAt(report.offset);
    const { partition, offset, reason, line } = this.badRecord;
    void this.fail(new BadRecordError(this.name, this.topic, partition, String(offset), reason, line));
  }

  /**
   * Recovers the table, then joins the job's consumer group; partitions arrive through `reader`.
   * With `endOffsets` (--once) the job ends once it read them and committed.
   */
  async start(reader: ReaderLink, endOffsets?: ReadonlyMap<number, number>): Promise<void> {
    // Stopped before it started (a stop while the reader read the end offsets): no timer, no join.
    if (this.stopped) return;
    this.reader = reader;
    this.endOffsets = endOffsets;
    this.setState('starting');
    this.timer = setInterval(() => this.queueTick(), this.options.tickMs ?? TICK_MS);
    await this.options.store.open();
    // Stopped while the table opened: joining now would leave a member no one makes leave, holding
    // the job's partitions from its next start.
    if (this.stopped) return;
    // No `stopped` check in these: the member passes on no event once leaving, which `leave` sets
    // in the same synchronous call as `stopped`.
    try {
      await this.options.member.join({
        assigned: (partitions) => {
          void this.control
            .run(async () => {
              await this.assign(partitions);
              if (this.stopped) return;
              this.assigned = true;
              this.firstAssignment.resolve(true);
            })
            .catch((err: Error) => this.fail(err));
        },
        crashed: (error) => void this.fail(error),
      });
    } catch (err) {
      // A join that failed is a failed start the runner ends itself (its timer, its member, its
      // processing job, `assignedOnce` and `done`), whether or not its caller handles the error.
      await this.fail(err as Error);
      throw err;
    }
    // Stopped or failed during the join: its state ('stopped', 'failing') stands.
    if (!this.stopped) this.setState('running');
  }

  /** Stops the job: commits its open batches and starts leaving its group (`left`). */
  stop(): Promise<void> {
    return this.control.run(() => this.end('stopped'));
  }

  /**
   * Stops the job with an error, in its turn of the control queue. Commits what came before a
   * bad record (so the job stops exactly at it); anything else leaves the open batch to be read
   * again from the checkpoint.
   */
  fail(err: Error): Promise<void> {
    return this.control.run(() => this.failNow(err));
  }

  /** With --once: where this job stands against the end offsets seen at start (see onceProgress). */
  onceProgress(): OnceProgress {
    const held = [...this.cursors.values()].map((c) => ({ partition: c.partition, next: c.next, settled: !c.dirty && c.fence === undefined }));
    return onceProgress(this.assigned, held, this.endOffsets ?? new Map());
  }

  /** True when every partition this job holds has read up to `ends`. */
  caughtUp(ends: ReadonlyMap<number, number>): boolean {
    return hasReadTo(this.cursors.values(), ends);
  }

  /**
   * The reader found `partition`'s log ending below the offset it read at (the fetch was out of
   * range): the topic was deleted and created again while this job ran, or its log was truncated.
   * If this job reads past that end, it goes on from the new log's start as `source.start` says,
   * keeping its open batch (whose records of the old log are gone from Kafka): the batch's commit
   * moves the checkpoint back to the new offsets. Synchronous, like `take`.
   */
  logRestarted(partition: number, earliest: number, latest: number): void {
    const cursor = this.stopped ? undefined : this.cursors.get(partition);
    if (!cursor) return;
    // A fence waiting to be applied sets where this job reads: apply it first (the commit that
    // set it is over, and the cursor takes nothing until it is applied).
    if (cursor.fence !== undefined) this.restartAtFence(cursor);
    const { offset, cause } = startOffset(cursor.next, earliest, latest, this.job.spec.source.start);
    // Another job of the topic read past the end, or this job is below it and reads on as it was.
    if (cause !== 'restarted') return;
    this.warnRestarted(partition, cursor.from, earliest, latest, offset);
    cursor.jumpTo(offset);
    this.processing.jump(this.processingId, this.topic, partition, offset);
    this.reader?.readFrom(partition, offset);
  }

  /** Queues one tick unless one waits already. */
  private queueTick(): void {
    if (this.tickQueued || this.stopped) return;
    this.tickQueued = true;
    void this.control.run(async () => {
      this.tickQueued = false;
      await this.tick();
    });
  }

  /** Ends the job at the end offsets (--once), applies fences, and seals the batches when due. */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.endOffsets && (await this.endIfReadToEnd())) return;
      await this.applyFences();
      if (this.due(this.now())) await this.seal();
    } catch (err) {
      await this.failNow(err as Error);
    }
  }

  /** True when the trigger is due or a batch passed its bounds. */
  private due(now: number): boolean {
    const { triggerMs, sink } = this.job.spec;
    return batchDue(now, this.lastSeal, { triggerMs, maxRows: sink.maxRows, maxBytes: sink.maxBytes }, this.cursors.values());
  }

  private async assign(partitions: number[]): Promise<void> {
    if (this.stopped) return;
    const reader = this.reader!;
    // A revoked partition's open batch is dropped: its new owner reads it again from the checkpoint.
    for (const p of [...this.cursors.keys()]) {
      if (!partitions.includes(p)) {
        this.cursors.delete(p);
        this.processing.close(this.processingId, this.topic, p);
        reader.readFrom(p, undefined);
      }
    }
    // A member that died mid-commit may have left an interrupted commit of a partition taken now:
    // open() settles it, so the checkpoints read next are final (start() opened before the first).
    if (this.assigned) await this.options.store.open();
    const committed = await this.options.store.committedOffsets(this.topic);
    const { start } = this.job.spec.source;
    let marks: Map<number, Watermarks> | undefined;
    for (const partition of partitions) {
      let cursor = this.cursors.get(partition);
      if (!cursor) {
        const checkpoint = committed.get(partition)?.next;
        marks ??= await reader.watermarks();
        const earliest = marks.get(partition)?.low ?? 0;
        const latest = marks.get(partition)?.high ?? 0;
        const { offset, cause } = startOffset(checkpoint, earliest, latest, start);
        if (cause === 'retention') {
          this.log.warn({ job: this.name, partition, checkpoint, earliest }, 'records past the checkpoint were deleted by retention; resuming at the earliest offset');
        } else if (cause === 'restarted') {
          this.warnRestarted(partition, checkpoint!, earliest, latest, offset);
        }
        // The batch commits from the checkpoint even when reading starts elsewhere (retention, a
        // topic created again): its compare-and-set then holds, and its commit moves the checkpoint
        // to the new offsets at once, with the first records.
        cursor = new PartitionCursor(partition, checkpoint ?? offset, offset);
        this.cursors.set(partition, cursor);
        this.processing.open(this.processingId, this.topic, partition, cursor.from, cursor.next);
      }
      reader.readFrom(partition, cursor.next);
    }
    this.log.info({ job: this.name, partitions, offsets: Object.fromEntries([...this.cursors].map(([p, c]) => [p, c.next])) }, 'partitions assigned');
  }

  /** One warn line for a log that restarted below this job's checkpoint (startOffset's `restarted`). */
  private warnRestarted(partition: number, checkpoint: number, earliest: number, latest: number, restartAt: number): void {
    this.log.warn(
      { job: this.name, topic: this.topic, partition, checkpoint, earliest, latest, restartAt },
      'the log restarted below the checkpoint (topic recreated?); reading it from its start',
    );
  }

  /**
   * With --once: once every partition this job holds is read to the end offsets, seals and
   * commits them, and ends the job when all of it is committed; true when it ended. A commit that
   * fails throws (the job then fails: a --once run never reports done over a batch it could not
   * commit). A fenced commit sends its partition back to the checkpoint that fenced it, to be
   * read on from there.
   */
  private async endIfReadToEnd(): Promise<boolean> {
    const progress = this.onceProgress();
    if (progress === 'waiting' || progress === 'reading') return false;
    await this.seal();
    await this.commits.settleAll();
    // A bad record seen meanwhile ends the job as failed, not done (see badRecordSeen).
    if (this.badRecord || this.onceProgress() !== 'done') return false;
    await this.end('done');
    return true;
  }

  /** Repositions every fenced cursor at the checkpoint that fenced it, once its commit settled. */
  private async applyFences(): Promise<void> {
    for (const cursor of this.cursors.values()) {
      if (cursor.fence === undefined) continue;
      await this.commits.settle(cursor.partition);
      if (cursor.fence !== undefined) this.restartAtFence(cursor);
    }
  }

  /**
   * Seals every partition that read something since its last seal and commits it; the commit
   * runs while reading goes on. At most one commit per partition is in flight: sealing the next
   * settles it first. Throws when an earlier commit failed.
   */
  private async seal(): Promise<void> {
    // The trigger spaces commits apart: records that arrive after a quiet spell longer than the
    // trigger are committed at once, as Spark runs a micro-batch as soon as its interval allows.
    const now = this.now();
    for (const cursor of this.cursors.values()) {
      const { partition } = cursor;
      await this.commits.settle(partition);
      if (cursor.fence !== undefined) {
        this.restartAtFence(cursor);
        continue;
      }
      if (!cursor.dirty) continue;
      this.lastSeal = now;
      // In one synchronous step with posting the seal: a seal covers exactly the records taken before it.
      cursor.startNextBatch();
      const sealing = this.processing.seal(this.processingId, this.topic, partition);
      this.commits.commit(partition, sealing, (resumeAt) => (cursor.fence = resumeAt));
    }
  }

  /** Another member committed this range first: take its checkpoint and read on from there. */
  private restartAtFence(cursor: PartitionCursor): void {
    const next = cursor.fence!;
    cursor.restartAt(next);
    this.processing.open(this.processingId, this.topic, cursor.partition, next);
    this.reader?.readFrom(cursor.partition, next);
  }

  /** Ends the job: commits its open batches and leaves the group; `done` settles once it left (see `left`). */
  private async end(state: 'stopped' | 'done'): Promise<void> {
    if (this.stopped) return;
    this.firstAssignment.resolve(false);
    try {
      await this.seal();
      await this.commits.settleAll();
    } catch (err) {
      this.log.error({ job: this.name, error: (err as Error).message }, 'final commit failed; the batch will be read again');
    }
    this.leave(() => {
      this.setState(state);
      this.ended.resolve();
    });
  }

  private async failNow(err: Error): Promise<void> {
    if (this.stopped) return;
    if (err instanceof BadRecordError) await this.seal().catch(() => {});
    // Commits in flight are whole and valid: let them land before leaving.
    await this.commits.settleAll(false);
    this.firstAssignment.reject(err);
    this.log.error({ job: this.name, topic: this.topic, error: err.message }, 'job failed');
    this.leave(() => {
      this.setState('failing', err.message);
      this.ended.reject(err);
    });
  }

  /**
   * Takes no record from now on and gives the partitions back to the reader at once; leaving the
   * group goes on outside the control queue (so jobs leave side by side), for `LEAVE_WAIT_MS` at
   * most (JobGroupMember.leave).
   */
  private leave(then: () => void): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const p of this.cursors.keys()) this.reader?.readFrom(p, undefined);
    this.cursors.clear();
    // After the seals already sent: processing answers a thread's messages in order.
    this.processing.removeJob(this.processingId);
    this.left = this.options.member.leave().then(then);
  }

  private setState(state: JobState, error?: string): void {
    this.options.events?.onState?.(this.name, state, error, this.topic);
  }
}
