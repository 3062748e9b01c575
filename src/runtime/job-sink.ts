import type { Consumer, Kafka } from 'kafkajs';
import type { CompiledJob } from '../dsl/job-spec.js';
import { commitSealedBatch, type FlushResult } from './batch-flusher.js';
import { boundedWait, LEAVE_WAIT_MS } from './bounded-wait.js';
import { flushDue } from './decisions/flush-due.js';
import { hasReadTo, onceProgress, type OnceProgress } from './decisions/once-progress.js';
import type { Logger } from './logger.js';
import { PartitionBuffer, type SealedBatch } from './partition-buffer.js';
import { BadRecordError, RecordLoop } from './record-loop.js';
import type { JobStore } from '../table/job-store.js';

/** How a job reports its life to whoever supervises it (logs, metrics, status). */
export interface JobEvents {
  onCommit?(job: string, result: FlushResult): void;
  onState?(job: string, state: JobState, error?: string): void;
}

export type JobState = 'starting' | 'running' | 'stopped' | 'failing' | 'done';

/** What a job sink asks of the topic reader that feeds it. */
export interface ReaderLink {
  /** Runs `work` while no batch is being delivered and no other buffer work runs. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** This job now reads `partition` from `offset` (or no longer reads it: undefined). */
  positionChanged(partition: number, offset: number | undefined): void;
  /** Low or high watermarks of the topic, per partition. */
  watermarks(which: 'low' | 'high'): Promise<Map<number, number>>;
}

export interface JobSinkOptions {
  kafka: Kafka;
  /** The job's tables; the supervisor opens them once per version of the job and shares them with lag and compaction. */
  store: JobStore;
  log: Logger;
  events?: JobEvents;
}

/**
 * One job's side of the pipeline: its membership in consumer group `gamepipe.<job>` (which gives
 * it partitions, spreads them over processes and holds the offsets Kafka tooling shows), its open
 * batches per partition, and their commits to its table. Records reach it from the topic reader;
 * its own group consumer is paused and never fetches, so five jobs on a topic read it once.
 */
export class JobSink {
  readonly name: string;
  readonly loop: RecordLoop;
  readonly buffers = new Map<number, PartitionBuffer>();
  private readonly store: JobStore;
  private member: Consumer | undefined;
  private reader: ReaderLink | undefined;
  /** When this job last committed something; 0 so the first records are committed at once. */
  private lastFlush = 0;
  stopped = false;
  /** Per partition, the commit in flight (at most one: sealing the next waits for it). */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** The first commit that failed; the next flush throws it and the job fails. */
  private commitError: Error | undefined;
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
    this.loop = new RecordLoop(job);
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => {});
  }

  private get log(): Logger {
    return this.options.log;
  }

  /** Recovers the table, then joins the job's consumer group; partitions arrive through `reader`. */
  async start(reader: ReaderLink): Promise<void> {
    this.reader = reader;
    this.setState('starting');
    await this.store.open();
    const { spec } = this.job;
    const member = this.options.kafka.consumer({
      groupId: `gamepipe.${spec.job}`,
      allowAutoTopicCreation: false,
      // A member lost with a broker restart holds up the next rebalance for a whole session.
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      // With every partition paused, the consumer's loop sleeps this long per turn, and leaving
      // the group waits for the turn to end.
      maxWaitTimeInMs: 100,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.member = member;
    member.on(member.events.GROUP_JOIN, ({ payload }) => {
      if (this.stopped) return void this.leaveAgain(member);
      const partitions = payload.memberAssignment[spec.source.topic] ?? [];
      void reader
        .exclusive(async () => {
          await this.assign(partitions);
          this.assigned = true;
        })
        .catch((err) => reader.exclusive(() => this.fail(err as Error)));
    });
    member.on(member.events.CRASH, ({ payload }) => {
      this.log.warn({ job: this.name, error: payload.error.message, restart: payload.restart }, 'consumer group error; retrying');
      if (!payload.restart && !this.stopped) void reader.exclusive(() => this.fail(payload.error));
    });
    await member.connect();
    await member.subscribe({ topic: spec.source.topic, fromBeginning: spec.source.start === 'earliest' });
    // The member only holds the assignment: it never fetches (the topic reader does), so it has
    // nothing to do with a batch, and every partition stays paused.
    await member.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    member.pause([{ topic: spec.source.topic }]);
    this.setState('running');
  }

  private async assign(partitions: number[]): Promise<void> {
    if (this.stopped) return;
    const reader = this.reader!;
    // A revoked partition's open batch is dropped: its new owner reads it again from the checkpoint.
    for (const p of [...this.buffers.keys()]) {
      if (!partitions.includes(p)) {
        this.buffers.delete(p);
        reader.positionChanged(p, undefined);
      }
    }
    // The table's committed offsets are the truth; the consumer group's only serve lag tooling.
    const committed = await this.store.committedOffsets(this.job.spec.source.topic);
    let low: Map<number, number> | undefined;
    let start: Map<number, number> | undefined;
    for (const partition of partitions) {
      let buffer = this.buffers.get(partition);
      if (!buffer) {
        const checkpoint = committed.get(partition)?.next;
        low ??= await reader.watermarks('low');
        let offset: number;
        if (checkpoint !== undefined) {
          offset = checkpoint;
          const earliest = low.get(partition) ?? 0;
          if (offset < earliest) {
            this.log.warn({ job: this.name, partition, checkpoint: offset, earliest }, 'records past the checkpoint were deleted by retention; resuming at the earliest offset');
            offset = earliest;
          }
        } else {
          start ??= this.job.spec.source.start === 'earliest' ? low : await reader.watermarks('high');
          offset = start.get(partition) ?? 0;
        }
        buffer = new PartitionBuffer(partition, offset, this.job.columns);
        this.buffers.set(partition, buffer);
      }
      reader.positionChanged(partition, buffer.next);
    }
    this.log.info({ job: this.name, partitions, offsets: Object.fromEntries([...this.buffers].map(([p, b]) => [p, b.next])) }, 'partitions assigned');
  }

  /** True when a trigger is due or a batch passed its bounds. */
  flushDue(now: number): boolean {
    const { triggerMs, sink } = this.job.spec;
    return flushDue(now, this.lastFlush, { triggerMs, maxRows: sink.maxRows, maxBytes: sink.maxBytes }, this.buffers.values());
  }

  /** With --once: where this job stands against the end offsets seen at start (see onceProgress). */
  onceProgress(): OnceProgress {
    const held = [...this.buffers.values()].map((b) => ({ partition: b.partition, next: b.next, settled: !b.dirty && b.fencedAt === undefined }));
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
    await this.settled();
    if (this.onceProgress() !== 'done') return false;
    await this.finish('done');
    return true;
  }

  /** True when every partition this job holds has read up to `ends`. */
  caughtUp(ends: Map<number, number>): boolean {
    return hasReadTo(this.buffers.values(), ends);
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
    for (const buffer of this.buffers.values()) {
      await this.inFlight.get(buffer.partition);
      this.throwCommitError();
      if (buffer.fencedAt !== undefined) {
        // Another member committed this range first: take its checkpoint and read on from there.
        const next = buffer.fencedAt;
        buffer.restartAt(next);
        this.reader?.positionChanged(buffer.partition, next);
        continue;
      }
      if (!buffer.dirty) continue;
      this.lastFlush = now;
      this.inFlight.set(buffer.partition, this.commit(buffer, buffer.seal()));
    }
  }

  /** Waits for the commits in flight; throws if one failed. */
  async settled(): Promise<void> {
    await Promise.all(this.inFlight.values());
    this.throwCommitError();
  }

  private throwCommitError(): void {
    if (this.commitError) throw this.commitError;
  }

  private async commit(buffer: PartitionBuffer, sealed: SealedBatch): Promise<void> {
    const topic = this.job.spec.source.topic;
    try {
      const result = await commitSealedBatch(topic, sealed, this.store);
      if (result.outcome === 'fenced') {
        // Applied at the next flush, inside `exclusive`; until then the buffer takes no record.
        buffer.fencedAt = result.resumeAt;
        this.log.warn({ job: this.name, partition: sealed.partition, next: buffer.fencedAt }, 'batch fenced by another committer; resuming at its checkpoint');
        return;
      }
      this.member
        ?.commitOffsets([{ topic, partition: sealed.partition, offset: String(result.next) }])
        .catch((err: Error) => this.log.warn({ job: this.name, error: err.message }, 'could not commit offsets to the consumer group'));
      this.log.info(
        {
          job: this.name,
          partition: result.partition,
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
      this.options.events?.onCommit?.(this.name, result);
    } catch (err) {
      this.commitError ??= err as Error;
    } finally {
      buffer.recycle(sealed);
    }
  }

  /**
   * Ends the job: commits its open batches (unless it failed) and leaves the group; `done` settles
   * once it left (see `left`). Call inside `exclusive`.
   */
  async finish(state: 'stopped' | 'done'): Promise<void> {
    if (this.stopped) return;
    try {
      await this.flushAll();
      await this.settled();
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
    await Promise.allSettled(this.inFlight.values());
    this.log.error({ job: this.name, error: err.message }, 'job failed');
    this.leave(() => {
      this.setState('failing', err.message);
      this.settle.reject(err);
    });
  }

  /**
   * Takes no record from now on and gives the partitions back to the reader at once; leaving the
   * group goes on outside the reader's queue (so jobs on one topic leave side by side), waited for
   * `LEAVE_WAIT_MS` at most: with the broker gone kafkajs retries the leave for many seconds, and
   * a member that did not leave is dropped by the broker after its session timeout anyway.
   */
  private leave(then: () => void): void {
    this.stopped = true;
    for (const p of this.buffers.keys()) this.reader?.positionChanged(p, undefined);
    this.buffers.clear();
    const leaving = this.member ? boundedWait(this.member.disconnect(), LEAVE_WAIT_MS) : Promise.resolve(undefined);
    this.left = leaving.then(then);
  }

  // kafkajs restarts a crashed consumer from a timer that a disconnect racing the crash does not
  // cancel: such a member rejoins for a job that is gone and would hold partitions from the job's
  // next start (which then reads nothing). It is made to leave again.
  private leaveAgain(member: Consumer): void {
    this.log.warn({ job: this.name }, 'group member rejoined after the job stopped; leaving again');
    void boundedWait(member.disconnect(), LEAVE_WAIT_MS);
  }

  setState(state: JobState, error?: string): void {
    this.options.events?.onState?.(this.name, state, error);
  }
}
