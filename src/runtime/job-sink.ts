import type { Kafka } from 'kafkajs';
import type { CompiledJob } from '../dsl/job-spec.js';
import { BatchCommits } from './batch-commits.js';
import type { FlushResult } from './batch-flusher.js';
import { flushDue } from './decisions/flush-due.js';
import { hasReadTo, onceProgress, type OnceProgress } from './decisions/once-progress.js';
import { startOffset } from './decisions/start-offset.js';
import { JobGroupMember } from './job-group-member.js';
import type { Logger } from './logger.js';
import { BadRecordError } from './bad-record-error.js';
import { PartitionState } from './partition-state.js';
import type { ProcessingPool } from './processing/processing-pool.js';
import type { BadRecordReport, OpenBatchReport } from './processing/worker-protocol.js';
import type { JobStore } from '../table/job-store.js';

/** How a job reports its life to whoever supervises it (logs, metrics, status). */
export interface JobEvents {
  onCommit?(job: string, result: FlushResult): void;
  onState?(job: string, state: JobState, error?: string): void;
}

export type JobState = 'starting' | 'running' | 'stopped' | 'failing' | 'done';

/** Where a partition's log starts (records before were deleted) and ends (the next offset to be written). */
export interface Watermarks {
  low: number;
  high: number;
}

/** What a job sink asks of the topic reader that feeds it. */
export interface ReaderLink {
  /** Runs `work` while no batch is being delivered and no other buffer work runs. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** This job now reads `partition` from `offset` (or no longer reads it: undefined). */
  positionChanged(partition: number, offset: number | undefined): void;
  /** The topic's low and high watermarks, per partition. */
  watermarks(): Promise<Map<number, Watermarks>>;
}

export interface JobSinkOptions {
  kafka: Kafka;
  /** The job's tables; the supervisor opens them once per version of the job and shares them with lag and compaction. */
  store: JobStore;
  /** Where this job's records are processed and its open batches held. */
  processing: ProcessingPool;
  log: Logger;
  events?: JobEvents;
}

/**
 * One job's side of the pipeline: its membership in consumer group `gamepipe.<job>`
 * (JobGroupMember: it gives the job its partitions), the offsets of its open batches per partition
 * (the batches are held on a processing thread), its trigger, and when to commit to its table
 * (BatchCommits runs the commits). The topic reader hands the records of its partitions to
 * processing; the group member never fetches, so five jobs on a topic read it once.
 */
export class JobSink {
  readonly name: string;
  /** This job's id at the processing threads. */
  readonly processingId: number;
  private readonly partitions = new Map<number, PartitionState>();
  private readonly store: JobStore;
  private readonly topic: string;
  private member: JobGroupMember | undefined;
  private readonly commits: BatchCommits;
  private reader: ReaderLink | undefined;
  /** When this job last committed something; 0 so the first records are committed at once. */
  private lastFlush = 0;
  stopped = false;
  /** The bad record that stops this job (`on_bad_record: fail`), once processing met one. */
  private badRecord: BadRecordReport | undefined;
  /** The end offsets the topic had at start: a --once job ends when its partitions reach them. */
  endOffsets: Map<number, number> | undefined;
  /** True once the group gave this job an assignment (possibly empty). */
  private assigned = false;
  /** Settles when the job has left its group, or stopped waiting for that (`LEAVE_WAIT_MS`). */
  left: Promise<void> = Promise.resolve();
  private settle!: { resolve(): void; reject(err: Error): void };
  /** Settles when the job ends: finished (--once), stopped, or failed (rejects with the cause). */
  readonly done: Promise<void>;

  constructor(
    readonly job: CompiledJob,
    private readonly options: JobSinkOptions,
  ) {
    this.name = job.spec.job;
    this.store = options.store;
    this.topic = job.spec.source.topic;
    this.processingId = options.processing.addJob(job);
    this.commits = new BatchCommits({
      job: this.name,
      topic: this.topic,
      store: this.store,
      log: options.log,
      commitOffset: (partition, next) => this.member?.commitOffset(partition, next),
      committed: (result) => options.events?.onCommit?.(this.name, result),
    });
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => {});
  }

  private get log(): Logger {
    return this.options.log;
  }

  private get processing(): ProcessingPool {
    return this.options.processing;
  }

  /** The offset this job takes records of `partition` from, or undefined when it takes none now. */
  takesFrom(partition: number): number | undefined {
    const state = this.stopped ? undefined : this.partitions.get(partition);
    // A fenced partition takes nothing until it restarts at the checkpoint that fenced it.
    return state === undefined || state.fencedAt !== undefined ? undefined : state.next;
  }

  /** The records of `partition` below `next` were handed to processing for this job. */
  handedOver(partition: number, next: number): void {
    const state = this.partitions.get(partition);
    if (state) state.next = next;
  }

  /** The size of an open batch, as processing reports it. */
  reported(report: OpenBatchReport): void {
    this.partitions.get(report.partition)?.reported(report);
  }

  /**
   * Processing met a bad record of this job (`on_bad_record: fail`). Noted at once, so that no
   * --once decision taken meanwhile ends the job as done; the job then stops at the first bad
   * record seen, in its turn of the reader's queue: what came before it is committed, so it stops
   * exactly there.
   */
  badRecordSeen(report: BadRecordReport): void {
    this.badRecord ??= report;
    const state = this.partitions.get(report.partition);
    // Processing stopped the batch at the bad record; records handed over after it are not in it.
    // The floor is the lower of `from` and `next`: after a topic was created again the batch reads
    // offsets below its checkpoint (see PartitionState.jumpTo).
    if (state) state.next = Math.max(Math.min(state.from, state.next), Math.min(state.next, report.offset));
    const { partition, offset, reason } = this.badRecord;
    void this.reader!.exclusive(() => this.fail(new BadRecordError(this.name, this.topic, partition, String(offset), reason)));
  }

  /** Recovers the table, then joins the job's consumer group; partitions arrive through `reader`. */
  async start(reader: ReaderLink): Promise<void> {
    this.reader = reader;
    this.setState('starting');
    await this.store.open();
    // Stopped while the table opened: joining now would leave a member no one makes leave, holding
    // the job's partitions from its next start.
    if (this.stopped) return;
    const member = new JobGroupMember(this.options.kafka, this.job.spec, this.log);
    this.member = member;
    // No `stopped` check in these: the member passes on no event once leaving, which `leave` sets
    // in the same synchronous call as `stopped`.
    await member.join({
      assigned: (partitions) => {
        void reader
          .exclusive(async () => {
            await this.assign(partitions);
            this.assigned = true;
          })
          .catch((err) => reader.exclusive(() => this.fail(err as Error)));
      },
      crashed: (error) => void reader.exclusive(() => this.fail(error)),
    });
    // Stopped or failed during the join: its state ('stopped', 'failing') stands.
    if (!this.stopped) this.setState('running');
  }

  private async assign(partitions: number[]): Promise<void> {
    if (this.stopped) return;
    const reader = this.reader!;
    // A revoked partition's open batch is dropped: its new owner reads it again from the checkpoint.
    for (const p of [...this.partitions.keys()]) {
      if (!partitions.includes(p)) {
        this.partitions.delete(p);
        this.processing.close(this.processingId, this.topic, p);
        reader.positionChanged(p, undefined);
      }
    }
    // A member that died mid-commit may have left an interrupted commit of a partition taken now:
    // open() settles it, so the checkpoints read next are final (start() opened before the first).
    if (this.assigned) await this.store.open();
    const committed = await this.store.committedOffsets(this.topic);
    const { start } = this.job.spec.source;
    let marks: Map<number, Watermarks> | undefined;
    for (const partition of partitions) {
      let state = this.partitions.get(partition);
      if (!state) {
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
        state = new PartitionState(partition, checkpoint ?? offset, offset);
        this.partitions.set(partition, state);
        this.processing.open(this.processingId, this.topic, partition, state.from, state.next);
      }
      reader.positionChanged(partition, state.next);
    }
    this.log.info({ job: this.name, partitions, offsets: Object.fromEntries([...this.partitions].map(([p, b]) => [p, b.next])) }, 'partitions assigned');
  }

  /**
   * The reader found `partition`'s log ending below the offset it read at (the fetch was out of
   * range): the topic was deleted and created again while this job ran, or its log was truncated.
   * If this job reads past that end, it goes on from the new log's start as `source.start` says,
   * keeping its open batch (whose records of the old log are gone from Kafka): the batch's commit
   * moves the checkpoint back to the new offsets. Call inside `exclusive`.
   */
  logRestarted(partition: number, earliest: number, latest: number): void {
    const state = this.stopped ? undefined : this.partitions.get(partition);
    if (!state) return;
    // A fence waiting to be applied sets where this job reads: apply it first (no commit of the
    // partition is in flight once its fence is known).
    if (state.fencedAt !== undefined) this.restartAtFence(state);
    const { offset, cause } = startOffset(state.next, earliest, latest, this.job.spec.source.start);
    // Another job of the topic read past the end, or this job is below it and reads on as it was.
    if (cause !== 'restarted') return;
    this.warnRestarted(partition, state.from, earliest, latest, offset);
    state.jumpTo(offset);
    this.processing.jump(this.processingId, this.topic, partition, offset);
    this.reader?.positionChanged(partition, offset);
  }

  /** One warn line for a log that restarted below this job's checkpoint (startOffset's `restarted`). */
  private warnRestarted(partition: number, checkpoint: number, earliest: number, latest: number, restartAt: number): void {
    this.log.warn(
      { job: this.name, topic: this.topic, partition, checkpoint, earliest, latest, restartAt },
      'the log restarted below the checkpoint (topic recreated?); reading it from its start',
    );
  }

  /** True when a trigger is due or a batch passed its bounds. */
  flushDue(now: number): boolean {
    const { triggerMs, sink } = this.job.spec;
    return flushDue(now, this.lastFlush, { triggerMs, maxRows: sink.maxRows, maxBytes: sink.maxBytes }, this.partitions.values());
  }

  /** With --once: where this job stands against the end offsets seen at start (see onceProgress). */
  onceProgress(): OnceProgress {
    const held = [...this.partitions.values()].map((b) => ({ partition: b.partition, next: b.next, settled: !b.dirty && b.fencedAt === undefined }));
    return onceProgress(this.assigned, held, this.endOffsets ?? new Map());
  }

  /**
   * With --once: once every partition this job holds is read to the end offsets, commits them,
   * and ends the job when all of it is committed; true when it ended. A commit that fails throws
   * (the job then fails: a --once run never reports done over a batch it could not commit). A
   * fenced commit sends its partition back to the checkpoint that fenced it, to be read on from
   * there. Call inside `exclusive`.
   */
  async finishAtEnd(): Promise<boolean> {
    const progress = this.onceProgress();
    if (progress === 'waiting' || progress === 'reading') return false;
    await this.flushAll();
    await this.commits.settled();
    // A bad record seen meanwhile ends the job as failed, not done (see badRecordSeen).
    if (this.badRecord || this.onceProgress() !== 'done') return false;
    await this.finish('done');
    return true;
  }

  /** True when every partition this job holds has read up to `ends`. */
  caughtUp(ends: Map<number, number>): boolean {
    return hasReadTo(this.partitions.values(), ends);
  }

  /**
   * Seals every partition that read something since its last commit and starts its commit, which
   * runs while reading goes on. At most one commit per partition is in flight: sealing the next
   * waits for it. Call inside `exclusive`. Throws when an earlier commit failed.
   */
  async flushAll(): Promise<void> {
    // The trigger spaces commits apart: records that arrive after a quiet spell longer than the
    // trigger are committed at once, as Spark runs a micro-batch as soon as its interval allows.
    const now = Date.now();
    for (const state of this.partitions.values()) {
      const { partition } = state;
      await this.commits.waitFor(partition);
      if (state.fencedAt !== undefined) {
        this.restartAtFence(state);
        continue;
      }
      if (!state.dirty) continue;
      this.lastFlush = now;
      state.sealed();
      const sealing = this.processing.seal(this.processingId, this.topic, partition);
      this.commits.start(partition, sealing, (resumeAt) => (state.fencedAt = resumeAt));
    }
  }

  /** Another member committed this range first: take its checkpoint and read on from there. */
  private restartAtFence(state: PartitionState): void {
    const next = state.fencedAt!;
    state.restartAt(next);
    this.processing.open(this.processingId, this.topic, state.partition, next);
    this.reader?.positionChanged(state.partition, next);
  }

  /**
   * Ends the job: commits its open batches (unless it failed) and leaves the group; `done` settles
   * once it left (see `left`). Call inside `exclusive`.
   */
  async finish(state: 'stopped' | 'done'): Promise<void> {
    if (this.stopped) return;
    try {
      await this.flushAll();
      await this.commits.settled();
    } catch (err) {
      this.log.error({ job: this.name, error: (err as Error).message }, 'final commit failed; the batch will be read again');
    }
    this.leave(() => {
      this.setState(state);
      this.settle.resolve();
    });
  }

  /**
   * Stops the job with an error. Commits what came before a bad record (so the job stops exactly
   * at it); anything else leaves the open batch to be read again from the checkpoint.
   */
  async fail(err: Error): Promise<void> {
    if (this.stopped) return;
    if (err instanceof BadRecordError) await this.flushAll().catch(() => {});
    // Commits in flight are whole and valid: let them land before leaving.
    await this.commits.landed();
    this.log.error({ job: this.name, error: err.message }, 'job failed');
    this.leave(() => {
      this.setState('failing', err.message);
      this.settle.reject(err);
    });
  }

  /**
   * Takes no record from now on and gives the partitions back to the reader at once; leaving the
   * group goes on outside the reader's queue (so jobs on one topic leave side by side), for
   * `LEAVE_WAIT_MS` at most (JobGroupMember.leave).
   */
  private leave(then: () => void): void {
    this.stopped = true;
    for (const p of this.partitions.keys()) this.reader?.positionChanged(p, undefined);
    this.partitions.clear();
    // After the seals already sent: processing answers a thread's messages in order.
    this.processing.removeJob(this.processingId);
    this.left = (this.member?.leave() ?? Promise.resolve()).then(then);
  }

  setState(state: JobState, error?: string): void {
    this.options.events?.onState?.(this.name, state, error);
  }
}
