import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { JobSink, ReaderLink } from './job-sink.js';
import { boundedWait, LEAVE_WAIT_MS } from './bounded-wait.js';
import { ReadPositions, type PositionStep } from './decisions/read-positions.js';
import type { Logger } from './logger.js';
import type { ProcessingPool } from './processing/processing-pool.js';
import type { ProcessedReply } from './processing/worker-protocol.js';
import { currentOwner } from '../table/folder/commit-protocol.js';

/**
 * Rejects a broker call of a job's assignment once the process is stopping: with the broker gone
 * it would retry for minutes, while the stop needs the reader's queue to commit the open batches.
 */
export class ReaderStoppingError extends Error {
  constructor(readonly topic: string) {
    super(`the reader of topic '${topic}' is stopping`);
    this.name = 'ReaderStoppingError';
  }
}

export interface TopicReaderOptions {
  kafka: Kafka;
  log: Logger;
  /** Each job ends once it reached the end offsets the topic had when the reader started. */
  once: boolean;
  /** Where the records handed to jobs are processed. */
  processing: ProcessingPool;
}

/**
 * Reads one topic once for every job of this process that consumes it: each record is fetched a
 * single time and handed, with the list of jobs holding its partition, to a processing thread
 * (which decodes it once for all of them). The reader only fetches and hands over. The reader's
 * consumer has a group of its own (one member, so it is given every partition); which partitions
 * are read, and from where, follows the jobs' own group assignments: a partition no local job
 * holds is paused, and each one is read from the lowest offset any job needs next.
 */
export class TopicReader {
  private readonly sinks = new Set<JobSink>();
  private readonly positions = new ReadPositions<JobSink>();
  private consumer: Consumer | undefined;
  private started: Promise<void> | undefined;
  private endOffsets: Promise<Map<number, number>> | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private stopping: ((err: Error) => void) | undefined;
  /** Rejects (handled) once `stopWaiting` is called. */
  private readonly stopSignal = new Promise<never>((_, reject) => (this.stopping = reject));

  constructor(
    readonly topic: string,
    private readonly options: TopicReaderOptions,
  ) {
    this.stopSignal.catch(() => {});
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
    const deadline = Date.now() + timeoutMs;
    // With the broker gone there are no end offsets to read to: the stop goes on without them.
    const ends = await boundedWait(this.watermarks('high'), timeoutMs);
    if (!ends) return;
    while (Date.now() < deadline && [...this.sinks].some((s) => !s.stopped && !s.caughtUp(ends))) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * From now on the broker calls of the jobs' assignments give up at once (ReaderStoppingError),
   * so a stop's commits never queue behind one that waits on a broker that is gone.
   */
  stopWaiting(): void {
    this.stopping?.(new ReaderStoppingError(this.topic));
  }

  /** Stops `sink`: it commits its open batches and starts leaving its group (`sink.left`). */
  async remove(sink: JobSink): Promise<void> {
    await this.exclusive(() => sink.finish('stopped'));
    this.sinks.delete(sink);
  }

  /** Stops the reader's own consumer (waiting `LEAVE_WAIT_MS` at most); call when it feeds no job any more. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    if (this.consumer) await boundedWait(this.consumer.disconnect(), LEAVE_WAIT_MS);
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
      watermarks: (which) => Promise.race([this.watermarks(which), this.stopSignal]),
      positionChanged: (partition, offset) => this.apply(this.positions.want(sink, partition, offset)),
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
      // kafkajs joins a response's socket chunks with Buffer.concat again for every chunk, so its
      // cost grows with the square of the response size: a bare kafkajs consumer of 500k seed-like
      // events took 1.19 s CPU with 2 MiB / 8 MiB, 0.78 s with these.
      maxBytesPerPartition: 256 * 1024,
      maxBytes: 1024 * 1024,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // A consumer kafkajs restarted after our disconnect (see JobSink.leaveAgain) would hold
      // partitions of this process's reader group from the next reader of the topic.
      if (this.closed) {
        this.options.log.warn({ topic: this.topic }, 'topic reader rejoined after it closed; leaving again');
        return void boundedWait(consumer.disconnect(), LEAVE_WAIT_MS);
      }
      this.apply(this.positions.assign(payload.memberAssignment[this.topic] ?? []));
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

  private apply(steps: PositionStep[]): void {
    const consumer = this.consumer;
    if (!consumer) return;
    for (const step of steps) {
      const at = { topic: this.topic, partitions: [step.partition] };
      if (step.type === 'pause') consumer.pause([at]);
      else if (step.type === 'resume') consumer.resume([at]);
      else consumer.seek({ topic: this.topic, partition: step.partition, offset: String(step.offset) });
    }
  }

  private async onBatch({ batch, isStale, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    let room: Promise<void> | undefined;
    await this.exclusive(async () => {
      if (this.closed || isStale() || batch.messages.length === 0) return;
      const partition = batch.partition;
      const next = Number(batch.lastOffset()) + 1;
      room = this.handOver(partition, batch.messages, next);
      this.positions.read(partition, next);
      resolveOffset(batch.lastOffset());
      await this.commitDue();
    });
    // Outside the queue, so commits and assignments go on while processing catches up.
    await room;
    await heartbeat();
  }

  /**
   * Hands the records to processing for every job that holds `partition` and has not taken them
   * yet (a record below a job's next offset is a re-delivery after a seek for another job).
   * Returns a promise while the partition's processing thread is full.
   */
  private handOver(partition: number, messages: EachBatchPayload['batch']['messages'], next: number): Promise<void> | undefined {
    const takers: JobSink[] = [];
    let from = next;
    for (const sink of this.sinks) {
      const takes = sink.takesFrom(partition);
      if (takes === undefined || takes >= next) continue;
      takers.push(sink);
      from = Math.min(from, takes);
    }
    if (takers.length === 0) return undefined;
    for (const sink of takers) sink.handedOver(partition, next);
    const { processing } = this.options;
    processing.process(this.topic, partition, takers.map((s) => s.processingId), messages, from).then(
      (reply) => this.processed(reply, takers),
      (err: Error) => {
        for (const sink of takers) void this.exclusive(() => sink.fail(err));
      },
    );
    return processing.whenRoom(this.topic, partition);
  }

  private processed(reply: ProcessedReply, takers: JobSink[]): void {
    const byId = new Map(takers.map((s) => [s.processingId, s]));
    for (const report of reply.batches) byId.get(report.job)?.reported(report);
    for (const failure of reply.failures) {
      const sink = byId.get(failure.job);
      if (!sink) continue;
      sink.badRecordSeen(failure);
      void this.exclusive(() => sink.failAtBadRecord());
    }
  }

  // Commits every job whose trigger is due or whose batch is full, and ends jobs that reached the end (--once).
  private async commitDue(): Promise<void> {
    const now = Date.now();
    // Jobs have separate buffers and tables, so their commits can run side by side.
    await Promise.all(
      [...this.sinks].map(async (sink) => {
        if (sink.stopped) return;
        try {
          if (this.options.once && (await sink.finishAtEnd())) return;
          if (sink.flushDue(now)) await sink.flushAll();
        } catch (err) {
          await sink.fail(err as Error);
        }
      }),
    );
    for (const sink of [...this.sinks]) if (sink.stopped) this.sinks.delete(sink);
  }
}
