import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { CompiledJob } from '../dsl/job-spec.js';
import { flushPartition, type FlushResult } from './batch-flusher.js';
import type { Logger } from './logger.js';
import type { ParquetEncoder } from './parquet/parquet-encoder.js';
import { PartitionBuffer } from './partition-buffer.js';
import { BadRecordError, RecordLoop } from './record-loop.js';
import { TableCommitter } from './sink/commit-protocol.js';
import { tableLayout, type TableLayout } from './sink/sink-layout.js';

/** How a runner reports its life to whoever supervises it (logs, metrics, status). */
export interface JobEvents {
  onCommit?(job: string, result: FlushResult): void;
  onState?(job: string, state: JobState, error?: string): void;
}

export type JobState = 'starting' | 'running' | 'stopped' | 'failing' | 'done';

export interface JobRunnerOptions {
  kafka: Kafka;
  encoder: ParquetEncoder;
  log: Logger;
  /** Stop once every partition reached the end offset it had when the job started. */
  once: boolean;
  events?: JobEvents;
}

/**
 * One job's consumer loop: a kafkajs consumer in group `gamepipe.<job>` feeding partition buffers,
 * flushed to Parquet at every trigger (or earlier when a batch passes its bounds) through the
 * table's commit protocol. The sink-side checkpoint is the truth; Kafka's group offsets follow it.
 */
export class JobRunner {
  readonly name: string;
  private readonly layout: TableLayout;
  private readonly committer: TableCommitter;
  private readonly loop: RecordLoop;
  private readonly buffers = new Map<number, PartitionBuffer>();
  private consumer: Consumer | undefined;
  private assignmentReady: Promise<void> = Promise.resolve();
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = Date.now();
  private endOffsets: Map<number, number> | undefined;
  private stopping = false;
  private finished!: { resolve(): void; reject(err: Error): void };
  /** Settles when the job ends: --once reached the end, stop() was called, or the job failed. */
  readonly done: Promise<void>;

  constructor(
    readonly job: CompiledJob,
    private readonly options: JobRunnerOptions,
  ) {
    this.name = job.spec.job;
    this.layout = tableLayout(job.spec.sink.path);
    this.committer = new TableCommitter(this.layout);
    this.loop = new RecordLoop(job);
    this.done = new Promise<void>((resolve, reject) => (this.finished = { resolve, reject }));
    this.done.catch(() => {});
  }

  private get log(): Logger {
    return this.options.log;
  }

  /** Connects, joins the group and starts consuming; returns once the consumer runs. */
  async start(): Promise<void> {
    const { spec } = this.job;
    this.setState('starting');
    await this.committer.open();
    if (this.options.once) this.endOffsets = await this.fetchOffsets('high');
    const consumer = this.options.kafka.consumer({
      groupId: `gamepipe.${spec.job}`,
      allowAutoTopicCreation: false,
      // A member lost with a broker restart holds up the next rebalance for a whole session.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 250,
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = payload.memberAssignment[spec.source.topic] ?? [];
      this.assignmentReady = this.exclusive(() => this.onAssignment(partitions));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.log.warn({ job: this.name, error: payload.error.message, restart: payload.restart }, 'consumer error; retrying');
      if (!payload.restart && !this.stopping) this.fail(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: spec.source.topic, fromBeginning: spec.source.start === 'earliest' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.timer = setInterval(() => void this.onTick(), Math.min(this.job.spec.triggerMs, 250));
    this.setState('running');
  }

  /** Flushes and commits the open batch, leaves the group and disconnects. */
  async stop(): Promise<void> {
    if (this.stopping) return this.done.catch(() => {});
    this.stopping = true;
    clearInterval(this.timer);
    try {
      await this.exclusive(() => this.flushAll());
    } catch (err) {
      this.log.error({ job: this.name, error: (err as Error).message }, 'final flush failed; the batch will be read again');
    }
    await this.consumer?.disconnect().catch(() => {});
    this.setState('stopped');
    this.finished.resolve();
  }

  // Work on buffers (batches, flushes, assignments) runs one piece at a time.
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.exclusiveTail.then(work);
    this.exclusiveTail = result.catch(() => {});
    return result;
  }

  private async fetchOffsets(which: 'high' | 'low'): Promise<Map<number, number>> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.job.spec.source.topic);
      return new Map(offsets.map((o) => [o.partition, Number(which === 'high' ? o.high : o.low)]));
    } finally {
      await admin.disconnect();
    }
  }

  private async onAssignment(partitions: number[]): Promise<void> {
    const topic = this.job.spec.source.topic;
    // A revoked partition's open batch is dropped: its new owner reads it again from the checkpoint.
    for (const p of [...this.buffers.keys()]) if (!partitions.includes(p)) this.buffers.delete(p);
    await this.committer.recover();
    let watermarks: Map<number, number> | undefined;
    for (const partition of partitions) {
      let buffer = this.buffers.get(partition);
      if (!buffer) {
        const checkpoint = await this.committer.checkpoint(topic, partition);
        let start: number;
        if (checkpoint !== undefined) start = Number(checkpoint);
        else {
          watermarks ??= await this.fetchOffsets(this.job.spec.source.start === 'earliest' ? 'low' : 'high');
          start = watermarks.get(partition) ?? 0;
        }
        buffer = new PartitionBuffer(partition, start, this.job.columns);
        this.buffers.set(partition, buffer);
      }
      this.consumer!.seek({ topic, partition, offset: String(buffer.next) });
    }
    this.log.info({ job: this.name, partitions, offsets: Object.fromEntries([...this.buffers].map(([p, b]) => [p, b.next])) }, 'partitions assigned');
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    await this.assignmentReady;
    if (this.stopping || isStale()) return;
    await this.exclusive(async () => {
      const buffer = this.buffers.get(batch.partition);
      if (!buffer) return;
      const { maxRows, maxBytes } = this.job.spec.sink;
      try {
        this.loop.take(buffer, batch.messages);
      } catch (err) {
        if (!(err instanceof BadRecordError)) throw err;
        // Commit what came before the bad record, so the job stops exactly at it.
        await this.flushAll();
        this.fail(err);
        return;
      }
      if (buffer.rows + buffer.rejectedRows >= maxRows || buffer.bytes >= maxBytes) await this.flush(buffer);
    });
    if (batch.messages.length) resolveOffset(batch.lastOffset());
    await heartbeat();
    await this.onTick();
  }

  private async onTick(): Promise<void> {
    if (this.stopping) return;
    const due = Date.now() - this.lastFlush >= this.job.spec.triggerMs;
    const reachedEnd = this.options.once && this.reachedEnd();
    if (!due && !reachedEnd) return;
    await this.exclusive(() => this.flushAll()).catch((err) => this.fail(err as Error));
    if (reachedEnd) {
      this.stopping = true;
      clearInterval(this.timer);
      // Disconnecting from inside eachBatch would wait for itself; let the batch return first.
      setImmediate(() => {
        void this.consumer?.disconnect().finally(() => {
          this.setState('done');
          this.finished.resolve();
        });
      });
    }
  }

  private reachedEnd(): boolean {
    if (!this.endOffsets) return false;
    for (const [partition, end] of this.endOffsets) {
      const buffer = this.buffers.get(partition);
      if (!buffer || buffer.next < end) return false;
    }
    return true;
  }

  private async flushAll(): Promise<void> {
    this.lastFlush = Date.now();
    for (const buffer of this.buffers.values()) if (buffer.dirty) await this.flush(buffer);
  }

  private async flush(buffer: PartitionBuffer): Promise<void> {
    const topic = this.job.spec.source.topic;
    const result = await flushPartition(this.job, buffer, this.layout, this.committer, this.options.encoder);
    if (result.outcome === 'fenced') {
      // Another member committed this range first: take its checkpoint and read on from there.
      const next = Number(await this.committer.checkpoint(topic, buffer.partition));
      buffer.reset(next);
      this.consumer?.seek({ topic, partition: buffer.partition, offset: String(next) });
      this.log.warn({ job: this.name, partition: buffer.partition, next }, 'batch fenced by another committer; resuming at its checkpoint');
      return;
    }
    buffer.reset(result.next);
    this.consumer
      ?.commitOffsets([{ topic, partition: buffer.partition, offset: String(result.next) }])
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
  }

  private fail(err: Error): void {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.timer);
    this.log.error({ job: this.name, error: err.message }, 'job failed');
    this.setState('failing', err.message);
    setImmediate(() => void this.consumer?.disconnect().catch(() => {}).finally(() => this.finished.reject(err)));
  }

  private setState(state: JobState, error?: string): void {
    this.options.events?.onState?.(this.name, state, error);
  }
}
