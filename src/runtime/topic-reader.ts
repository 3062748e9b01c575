import type { Kafka } from 'kafkajs';
import type { JobSink, ReaderLink, Watermarks } from './job-sink.js';
import { boundedWait } from './bounded-wait.js';
import { ReadPositions, type PositionStep } from './decisions/read-positions.js';
import { TopicFetcher, type FetchedRecords } from './fetch/topic-fetcher.js';
import type { Logger } from './logger.js';
import type { ProcessingPool } from './processing/processing-pool.js';
import type { ProcessedReply } from './processing/worker-protocol.js';
import { SerialQueue } from '../serial-queue.js';

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
 * (which decodes it once for all of them). The reader only fetches and hands over. It reads every
 * partition of the topic as far as the jobs' own group assignments ask: a partition no local job
 * holds is paused, and each one is read from the lowest offset any job needs next.
 */
export class TopicReader {
  private readonly sinks = new Set<JobSink>();
  private readonly positions = new ReadPositions<JobSink>();
  private fetcher: TopicFetcher | undefined;
  private started: Promise<void> | undefined;
  private endOffsets: Promise<Map<number, number>> | undefined;
  private readonly queue = new SerialQueue();
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
        // After the start, which says in its own error when the topic is missing.
        sink.endOffsets = await (this.endOffsets ??= started.then(() => this.endsNow()).catch((err) => {
          this.endOffsets = undefined;
          throw err;
        }));
      }
      // The job joins its group while the reader starts: the reader points itself at the job's
      // partitions whichever finishes first. A failed join waits for the start, whose error says
      // when the topic is missing.
      const joined = sink.start(this.linkFor(sink)).catch(async (err) => {
        await started;
        throw err;
      });
      await Promise.all([started, joined]);
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
    const ends = await boundedWait(this.endsNow(), timeoutMs);
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

  /** Stops fetching (waiting `LEAVE_WAIT_MS` at most); call when the reader feeds no job any more. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.fetcher?.close();
  }

  /** Runs buffer work (batch delivery, commits, assignments) one piece at a time. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(work);
  }

  /** The topic's low and high watermarks per partition, from one request. */
  async watermarks(): Promise<Map<number, Watermarks>> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.topic);
      return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
    } finally {
      await admin.disconnect();
    }
  }

  /** The topic's end offsets per partition (its high watermarks). */
  private async endsNow(): Promise<Map<number, number>> {
    return new Map([...(await this.watermarks())].map(([partition, { high }]) => [partition, high]));
  }

  private linkFor(sink: JobSink): ReaderLink {
    return {
      exclusive: (work) => this.exclusive(work),
      watermarks: () => Promise.race([this.watermarks(), this.stopSignal]),
      positionChanged: (partition, offset) => this.apply(this.positions.want(sink, partition, offset)),
    };
  }

  private async start(): Promise<void> {
    const fetcher = new TopicFetcher(this.topic, {
      kafka: this.options.kafka,
      clientId: 'gamepipe-reader',
      log: this.options.log,
      deliver: (fetched) => this.onRecords(fetched),
      partitionsChanged: (partitions) => this.apply(this.positions.added(partitions)),
      // Reading on would skip records: the jobs holding the partition fail with the reason (and
      // are started again with backoff; a --once run exits 1 saying it).
      unreadable: (partition, offset, error) => {
        this.options.log.error({ topic: this.topic, partition, offset, error: error.message }, 'records cannot be read');
        for (const sink of this.sinks) if (sink.takesFrom(partition) !== undefined) void this.exclusive(() => sink.fail(error));
      },
      // The jobs that read past the new log's end move back to its start (each says so); then the
      // partition, which the fetcher stopped, is pointed afresh at what the jobs need.
      logRestarted: (partition, _offset, earliest, latest) =>
        void this.exclusive(async () => {
          for (const sink of this.sinks) sink.logRestarted(partition, earliest, latest);
          this.apply(this.positions.lost(partition));
        }),
    });
    this.fetcher = fetcher;
    const partitions = await fetcher.start();
    this.apply(this.positions.assign(partitions));
    this.timer = setInterval(() => void this.exclusive(() => this.commitDue()), 100);
  }

  private apply(steps: PositionStep[]): void {
    const fetcher = this.fetcher;
    if (!fetcher) return;
    for (const step of steps) {
      if (step.type === 'pause') fetcher.pause(step.partition);
      else if (step.type === 'resume') fetcher.resume(step.partition);
      else fetcher.seek(step.partition, step.offset);
    }
  }

  private async onRecords(fetched: FetchedRecords): Promise<void> {
    let room: Promise<void> | undefined;
    await this.exclusive(async () => {
      // Work queued before this delivery may have pointed the partition elsewhere (a job's
      // assignment or fence): these records would then be taken past what that job needs.
      if (this.closed || !this.fetcher!.isCurrent(fetched.partition, fetched.generation)) return;
      room = this.handOver(fetched);
      this.positions.read(fetched.partition, fetched.next);
      await this.commitDue();
    });
    // Outside the queue, so commits and assignments go on while processing catches up.
    await room;
  }

  /**
   * Hands the records to processing for every job that holds `partition` and has not taken them
   * yet (a record below a job's next offset is a re-delivery after a seek for another job).
   * Returns a promise while the partition's processing thread is full.
   */
  private handOver({ partition, records, from: fetchedFrom, next, aborted }: FetchedRecords): Promise<void> | undefined {
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
    processing.process(this.topic, partition, takers.map((s) => s.processingId), records, Math.max(from, fetchedFrom), aborted).then(
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
    for (const failure of reply.failures) byId.get(failure.job)?.badRecordSeen(failure);
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
