import { kafkaSettings } from '../kafka/connection-settings.js';
import { TopicWatermarks } from '../kafka/topic-watermarks.js';
import type { Watermarks } from '../kafka/watermarks.js';
import type { JobRunner } from './job-runner/job-runner.js';
import type { ReaderLink } from './job-runner/reader-link.js';
import { boundedWait } from '../bounded-wait.js';
import { ReadPositions, type PositionStep } from './decisions/read-positions.js';
import { TopicFetcher, type FetchedRecords, type TopicFetcherOptions } from '../kafka/topic-fetcher.js';
import type { Logger } from '../logger.js';
import type { ProcessingPool } from './processing/processing-pool.js';
import type { ProcessedReply } from './processing/worker-protocol.js';

/**
 * Rejects a broker call of a job's assignment once the process is stopping: with the broker gone
 * it would retry for minutes, while the stop needs the job's control queue to commit the open
 * batches.
 */
export class ReaderStoppingError extends Error {
  constructor(readonly topic: string) {
    super(`the reader of topic '${topic}' is stopping`);
    this.name = 'ReaderStoppingError';
  }
}

/** What the reader hears from its fetcher. */
// Long enough for the cluster to elect new leaders after a broker dies or freezes (its session
// timeout, then the election), short enough that a --once run or a job start fails clearly.
const WATERMARKS_DEADLINE_MS = 60_000;

export type FetcherEvents = Pick<TopicFetcherOptions, 'deliver' | 'partitionsChanged' | 'unreadable' | 'logRestarted'>;

/** The fetcher calls the reader makes. */
export type PartitionFetcher = Pick<TopicFetcher, 'start' | 'seek' | 'isCurrent' | 'pause' | 'resume' | 'close'>;

export interface TopicReaderOptions {
  log: Logger;
  /** Each job ends once it reached the end offsets the topic had when the reader started. */
  once: boolean;
  /** Where the records handed to jobs are processed. */
  processing: Pick<ProcessingPool, 'process' | 'whenRoom'>;
  /** Reads the topic's partitions (a TopicFetcher on Kafka; tests hand the reader a fake). */
  fetcher?: (events: FetcherEvents) => PartitionFetcher;
  /** The topic's low and high watermarks per partition (from Kafka by default). */
  watermarks?: () => Promise<Map<number, Watermarks>>;
}

/**
 * Reads one topic once for every job of this process that consumes it: each record is fetched a
 * single time and handed, with the list of jobs taking it, to a processing thread (which decodes
 * it once for all of them). The reader only fetches and hands over: commits, triggers and the
 * --once end are each job's own (JobRunner). It reads every partition of the topic as far as the
 * jobs ask (ReaderLink.readFrom): a partition no local job reads is paused, and each one is read
 * from the lowest offset any job needs next (ReadPositions).
 *
 * Every step of it is synchronous once records arrive (which jobs take them, posting them to
 * processing, where it reads next), so it needs no queue: a job's step always sees the reader
 * between two deliveries.
 */
export class TopicReader {
  private readonly runners = new Set<JobRunner>();
  private readonly positions = new ReadPositions<JobRunner>();
  private fetcher: PartitionFetcher | undefined;
  private started: Promise<void> | undefined;
  private endOffsets: Promise<Map<number, number>> | undefined;
  /** Reads the watermarks over connections of its own (made on first use, closed with the reader). */
  private marks: TopicWatermarks | undefined;
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

  /** The number of running jobs this reader feeds (a job that stopped or failed no longer counts). */
  get size(): number {
    this.forgetStopped();
    return this.runners.size;
  }

  /** Starts `runner` on this reader (starting the reader itself on first use). */
  async add(runner: JobRunner): Promise<void> {
    this.runners.add(runner);
    // Not started, or no end offsets (the topic may not exist yet): the next job added tries again.
    const started = (this.started ??= this.start().catch((err) => {
      this.started = undefined;
      throw err;
    }));
    started.catch(() => {});
    try {
      let ends: Map<number, number> | undefined;
      if (this.options.once) {
        // After the start, which says in its own error when the topic is missing.
        const reading = (this.endOffsets ??= started.then(() => this.endsNow()).catch((err) => {
          this.endOffsets = undefined;
          throw err;
        }));
        // A reader closed meanwhile (its last other job failed: a job of several topics fails
        // whole) waits no more.
        ends = await Promise.race([reading, this.stopSignal]);
      }
      // The job joins its group while the reader starts: the reader points itself at the job's
      // partitions whichever finishes first. A failed join waits for the start, whose error says
      // when the topic is missing.
      const joined = runner.start(this.linkFor(runner), ends).catch(async (err) => {
        await started;
        throw err;
      });
      await Promise.all([started, joined]);
    } catch (err) {
      this.runners.delete(runner);
      throw err;
    }
  }

  /**
   * Reads on until every job has taken what the topic held when this was called (or `timeoutMs`
   * passed), so that a stop commits the events already acknowledged to their producers.
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.closed || this.size === 0) return;
    const deadline = Date.now() + timeoutMs;
    // With the broker gone there are no end offsets to read to: the stop goes on without them.
    const ends = await boundedWait(this.endsNow(), timeoutMs);
    if (!ends) return;
    while (Date.now() < deadline && [...this.runners].some((r) => !r.stopped && !r.caughtUp(ends))) {
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

  /** Stops `runner`: it commits its open batches and starts leaving its group (`runner.left`). */
  async remove(runner: JobRunner): Promise<void> {
    await runner.stop();
    this.runners.delete(runner);
  }

  /** Stops fetching (waiting `LEAVE_WAIT_MS` at most); call when the reader feeds no job any more. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWaiting();
    this.marks?.close();
    await this.fetcher?.close();
  }

  /** The topic's low and high watermarks per partition, from one request. */
  async watermarks(): Promise<Map<number, Watermarks>> {
    if (this.options.watermarks) return this.options.watermarks();
    if (this.closed) throw new Error(`the reader of topic '${this.topic}' is closed`);
    this.marks ??= new TopicWatermarks(this.topic, kafkaSettings(), 'gamepipe-reader');
    return this.marks.read(WATERMARKS_DEADLINE_MS);
  }

  /** The topic's end offsets per partition (its high watermarks). */
  private async endsNow(): Promise<Map<number, number>> {
    return new Map([...(await this.watermarks())].map(([partition, { high }]) => [partition, high]));
  }

  private linkFor(runner: JobRunner): ReaderLink {
    return {
      watermarks: () => Promise.race([this.watermarks(), this.stopSignal]),
      readFrom: (partition, offset) => this.apply(this.positions.want(runner, partition, offset)),
    };
  }

  private async start(): Promise<void> {
    const events: FetcherEvents = {
      deliver: (fetched) => this.onRecords(fetched),
      partitionsChanged: (partitions) => this.apply(this.positions.added(partitions)),
      // Reading on would skip records: the jobs holding the partition fail with the reason (and
      // are started again with backoff; a --once run exits 1 saying it).
      unreadable: (partition, offset, error) => {
        this.options.log.error({ topic: this.topic, partition, offset, error: error.message }, 'records cannot be read');
        for (const runner of this.runners) if (runner.takesFrom(partition) !== undefined) void runner.fail(error);
      },
      // The jobs that read past the new log's end move back to its start (each says so); then the
      // partition, which the fetcher stopped, is pointed afresh at what the jobs need.
      logRestarted: (partition, _offset, earliest, latest) => {
        for (const runner of this.runners) runner.logRestarted(partition, earliest, latest);
        this.apply(this.positions.lost(partition));
      },
    };
    const fetcher =
      this.options.fetcher?.(events) ?? new TopicFetcher(this.topic, { clientId: 'gamepipe-reader', log: this.options.log, ...events });
    this.fetcher = fetcher;
    const partitions = await fetcher.start();
    this.apply(this.positions.assign(partitions));
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

  /** Hands a delivery over; returns a promise, which holds the next fetch, while processing is full. */
  private onRecords(fetched: FetchedRecords): Promise<void> | undefined {
    // A job may have pointed the partition elsewhere since the fetch was sent (its assignment or
    // fence): these records would then be taken past what that job needs.
    if (this.closed || !this.fetcher!.isCurrent(fetched.partition, fetched.generation)) return undefined;
    const room = this.handOver(fetched);
    this.positions.read(fetched.partition, fetched.next);
    return room;
  }

  /**
   * Hands the records to processing for every job that takes them (a record below a job's next
   * offset is a re-delivery after a seek for another job). Each job's cursor moves on in the same
   * synchronous step as the records are posted: a seal it posts later comes after them.
   * Returns a promise while the partition's processing thread is full, or while a job's open
   * batch of it is past its bounds with its previous commit still running (JobRunner.holdFor).
   */
  private handOver({ partition, records, from: fetchedFrom, next, aborted }: FetchedRecords): Promise<void> | undefined {
    this.forgetStopped();
    const takers: JobRunner[] = [];
    let from = next;
    for (const runner of this.runners) {
      const takes = runner.take(partition, next);
      if (takes === undefined) continue;
      takers.push(runner);
      from = Math.min(from, takes);
    }
    if (takers.length === 0) return undefined;
    const holds = takers.map((r) => r.holdFor(partition)).filter((hold) => hold !== undefined);
    const { processing } = this.options;
    processing.process(this.topic, partition, takers.map((r) => r.processingId), records, Math.max(from, fetchedFrom), aborted).then(
      (reply) => this.processed(reply, takers),
      (err: Error) => {
        for (const runner of takers) void runner.fail(err);
      },
    );
    const room = processing.whenRoom(this.topic, partition);
    if (holds.length === 0) return room;
    return Promise.all([room, ...holds]).then(() => {});
  }

  private processed(reply: ProcessedReply, takers: JobRunner[]): void {
    const byId = new Map(takers.map((r) => [r.processingId, r]));
    for (const report of reply.batches) byId.get(report.job)?.batchSize(report);
    for (const failure of reply.failures) byId.get(failure.job)?.badRecordSeen(failure);
  }

  /** Drops the jobs that ended: they take no record and read nothing. */
  private forgetStopped(): void {
    for (const runner of this.runners) if (runner.stopped) this.runners.delete(runner);
  }
}
