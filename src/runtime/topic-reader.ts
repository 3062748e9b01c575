import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { JobSink, ReaderLink } from './job-sink.js';
import type { Logger } from './logger.js';
import { decodeRecord, ReusableRecordMeta, type Decoded } from './record-decoder.js';
import { BadRecordError } from './record-loop.js';
import { currentOwner } from '../table/folder/commit-protocol.js';

export interface TopicReaderOptions {
  kafka: Kafka;
  log: Logger;
  /** Each job ends once it reached the end offsets the topic had when the reader started. */
  once: boolean;
}

/**
 * Reads one topic once for every job of this process that consumes it: each record is fetched
 * and JSON-decoded a single time, then offered to each job holding its partition. The reader's
 * consumer has a group of its own (one member, so it is given every partition); which partitions
 * are read, and from where, follows the jobs' own group assignments: a partition no local job
 * holds is paused, and each one is read from the lowest offset any job needs next.
 */
export class TopicReader {
  private readonly sinks = new Set<JobSink>();
  /** Per partition, the offset each job reading it needs next (as of its last assignment or fence). */
  private readonly wants = new Map<number, Map<JobSink, number>>();
  /** Per partition, where the consumer reads next. */
  private readonly position = new Map<number, number>();
  private readonly paused = new Set<number>();
  private assigned: number[] | undefined;
  private consumer: Consumer | undefined;
  private started: Promise<void> | undefined;
  private endOffsets: Promise<Map<number, number>> | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly meta = new ReusableRecordMeta();
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly options: TopicReaderOptions,
  ) {
    this.meta.topic = topic;
  }

  /** The number of jobs this reader feeds. */
  get size(): number {
    return this.sinks.size;
  }

  /** Starts `sink` on this reader (starting the reader itself on first use). */
  async add(sink: JobSink): Promise<void> {
    this.sinks.add(sink);
    // Not started, or no end offsets (the topic may not exist yet): the next job added tries again.
    const started = (this.started ??= this.start().catch((err) => {
      this.started = undefined;
      throw err;
    }));
    started.catch(() => {});
    try {
      if (this.options.once) {
        sink.endOffsets = await (this.endOffsets ??= this.watermarks('high').catch((err) => {
          this.endOffsets = undefined;
          throw err;
        }));
      }
      // The job joins its group while the reader joins its own: the reader points itself at the
      // job's partitions whichever join finishes first.
      await Promise.all([started, sink.start(this.linkFor(sink))]);
    } catch (err) {
      this.sinks.delete(sink);
      throw err;
    }
  }

  /**
   * Reads on until every job has taken what the topic held when this was called (or `timeoutMs`
   * passed), so that a stop commits the events already acknowledged to their producers.
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.closed || this.sinks.size === 0) return;
    const ends = await this.watermarks('high').catch(() => undefined);
    if (!ends) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && [...this.sinks].some((s) => !s.stopped && !s.caughtUp(ends))) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops `sink`: it commits its open batches and leaves its group. */
  async remove(sink: JobSink): Promise<void> {
    await this.exclusive(() => sink.finish('stopped'));
    this.sinks.delete(sink);
  }

  /** Stops the reader's own consumer; call when it feeds no job any more. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.consumer?.disconnect().catch(() => {});
  }

  /** Runs buffer work (batch delivery, commits, assignments) one piece at a time. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => {});
    return result;
  }

  /** Low or high watermarks of the topic per partition. */
  async watermarks(which: 'low' | 'high'): Promise<Map<number, number>> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.topic);
      return new Map(offsets.map((o) => [o.partition, Number(which === 'high' ? o.high : o.low)]));
    } finally {
      await admin.disconnect();
    }
  }

  private linkFor(sink: JobSink): ReaderLink {
    return {
      exclusive: (work) => this.exclusive(work),
      watermarks: (which) => this.watermarks(which),
      positionChanged: (partition, offset) => {
        let wanting = this.wants.get(partition);
        if (!wanting) this.wants.set(partition, (wanting = new Map()));
        if (offset === undefined) wanting.delete(sink);
        else wanting.set(sink, offset);
        this.sync(partition);
      },
    };
  }

  private async start(): Promise<void> {
    const consumer = this.options.kafka.consumer({
      // A group of its own per process, so this consumer is given every partition of the topic.
      groupId: `gamepipe.reader.${this.topic}.${currentOwner().id}`,
      allowAutoTopicCreation: false,
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      // Also how long kafkajs sleeps while every partition is paused, as they are at start until the
      // jobs' checkpoints are read: 250 ms here was a quarter of the time to the first file.
      // With data flowing the broker answers at once whatever this is (minBytes 1).
      maxWaitTimeInMs: 50,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = payload.memberAssignment[this.topic] ?? [];
      for (const p of this.assigned) this.position.delete(p);
      this.paused.clear();
      for (const p of this.assigned) this.sync(p);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.options.log.warn({ topic: this.topic, error: payload.error.message, restart: payload.restart }, 'topic reader error; retrying');
      if (!payload.restart && !this.closed) {
        for (const sink of this.sinks) void this.exclusive(() => sink.fail(payload.error));
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.timer = setInterval(() => void this.exclusive(() => this.commitDue()), 100);
  }

  // Points the consumer at the lowest offset any job needs on `partition`, or pauses it.
  private sync(partition: number): void {
    const consumer = this.consumer;
    if (!consumer || !this.assigned?.includes(partition)) return;
    let min: number | undefined;
    for (const offset of this.wants.get(partition)?.values() ?? []) if (min === undefined || offset < min) min = offset;
    if (min === undefined) {
      if (!this.paused.has(partition)) consumer.pause([{ topic: this.topic, partitions: [partition] }]);
      this.paused.add(partition);
      return;
    }
    if (this.paused.delete(partition)) consumer.resume([{ topic: this.topic, partitions: [partition] }]);
    if (this.position.get(partition) !== min) {
      consumer.seek({ topic: this.topic, partition, offset: String(min) });
      this.position.set(partition, min);
    }
  }

  private async onBatch({ batch, isStale, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    await this.exclusive(async () => {
      if (this.closed || isStale() || batch.messages.length === 0) return;
      const partition = batch.partition;
      const takers = [...this.sinks].filter((s) => !s.stopped && s.buffers.has(partition));
      this.deliver(partition, batch.messages, takers);
      this.position.set(partition, Number(batch.lastOffset()) + 1);
      resolveOffset(batch.lastOffset());
      await this.commitDue();
    });
    await heartbeat();
  }

  private deliver(partition: number, messages: EachBatchPayload['batch']['messages'], takers: JobSink[]): void {
    const meta = this.meta;
    meta.partition = partition;
    for (const message of messages) {
      const offset = Number(message.offset);
      const value = message.value;
      const bytes = value?.length ?? 0;
      meta.offset = message.offset;
      meta.timestamp = Number(message.timestamp);
      meta.keyBytes = message.key;
      let decoded: Decoded | undefined;
      for (let i = 0; i < takers.length; i++) {
        const sink = takers[i]!;
        const buffer = sink.buffers.get(partition);
        // Below `next` was already taken: a re-delivery after a seek for another job. A fenced
        // buffer takes nothing until it restarts at the checkpoint that fenced it.
        if (!buffer || offset < buffer.next || buffer.fencedAt !== undefined) continue;
        try {
          if (sink.loop.acceptsSize(bytes)) {
            decoded ??= decodeRecord(value, meta);
            sink.loop.offer(buffer, offset, bytes, decoded, meta);
          } else {
            if (decoded === undefined) meta.raw = value!.toString('utf8', 0, Math.min(bytes, sink.job.spec.maxRecordBytes));
            sink.loop.offer(buffer, offset, bytes, undefined, meta);
          }
        } catch (err) {
          if (!(err instanceof BadRecordError)) throw err;
          takers.splice(i--, 1);
          void this.exclusive(() => sink.fail(err));
        }
      }
    }
  }

  // Commits every job whose trigger is due or whose batch is full, and ends jobs that reached the end (--once).
  private async commitDue(): Promise<void> {
    const now = Date.now();
    // Jobs have separate buffers and tables, so their commits can run side by side.
    await Promise.all(
      [...this.sinks].map(async (sink) => {
        if (sink.stopped) return;
        if (this.options.once && sink.reachedEnd()) await sink.finish('done');
        else if (sink.flushDue(now)) await sink.flushAll().catch((err) => sink.fail(err as Error));
      }),
    );
    for (const sink of [...this.sinks]) if (sink.stopped) this.sinks.delete(sink);
  }
}
