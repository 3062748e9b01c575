import { boundedWait, LEAVE_WAIT_MS } from '../bounded-wait.js';
import type { Logger } from '../logger.js';
import type { KafkaAdmin, KafkaClient } from './client.js';
import { FetchOrder } from './fetch-order.js';
import { decodeFetchResponse, encodeFetchRequest, KafkaErrorCode, kafkaErrorName, type AbortedTransaction } from './fetch-wire.js';
import { CorruptRecordsError, nextOffsetAfter, UnsupportedRecordsError } from './record-batch-format.js';
import { TopicLeaders } from './topic-leaders.js';

/** The topic a reader was started for is not in the cluster. */
export class MissingTopicError extends Error {
  constructor(readonly topic: string) {
    super(`topic '${topic}' does not exist (yet)`);
    this.name = 'MissingTopicError';
  }
}

/** A fetch the broker answered with an error for some partitions; the fetcher retries after a pause. */
class PartitionFetchError extends Error {
  constructor(topic: string, failed: string[]) {
    super(`fetching topic '${topic}' failed: ${failed.join(', ')}`);
    this.name = 'PartitionFetchError';
  }
}

/** One partition's records from one fetch. */
export interface FetchedRecords {
  partition: number;
  /** The partition's record batches, complete ones first (a partial batch may follow). */
  records: Buffer;
  /** The offset fetched from: the first batch may start before it, with records read before. */
  from: number;
  /** The offset after the last complete batch. */
  next: number;
  /** The aborted transactions among these batches (read_committed). */
  aborted: AbortedTransaction[];
  /** The partition's position generation the fetch was sent at (see `isCurrent`). */
  generation: number;
}

export interface TopicFetcherOptions {
  kafka: KafkaClient;
  clientId: string;
  log: Logger;
  /** Takes one partition's records, in order; a promise returned holds the next fetch until it settles. */
  deliver(fetched: FetchedRecords): Promise<void> | undefined;
  /** The topic's partitions changed (more were added). */
  partitionsChanged(partitions: number[]): void;
  /**
   * The records of `partition` from `offset` cannot be read (a message format or codec id
   * gamepipe does not know, or corrupt batches); the partition is paused until it is pointed
   * somewhere again.
   */
  unreadable(partition: number, offset: number, error: UnsupportedRecordsError | CorruptRecordsError): void;
  /**
   * `partition`'s log ends (`latest`) below `offset`, where it was read: the topic was deleted and
   * created again, or its log truncated. The partition is not fetched until it is sought again.
   */
  logRestarted(partition: number, offset: number, earliest: number, latest: number): void;
  /** Bytes a partition is served before it goes to the back of the fetch order (default 256 MiB). */
  fairShareBytes?: number;
}

// With data waiting the broker answers at once whatever the wait (min bytes 1); the wait only
// paces the polls of a topic that is caught up.
const FETCH_MAX_WAIT_MS = 100;
// Small fetches: each one becomes one message to a processing thread, and what one thread holds
// is bounded by a number of messages.
const PARTITION_MAX_BYTES = 256 * 1024;
const FETCH_MAX_BYTES = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;
const RETRY_INITIAL_MS = 300;
const RETRY_MAX_MS = 10_000;

interface PartitionPlace {
  /** Where the next fetch reads; undefined until the reader points the partition somewhere. */
  offset: number | undefined;
  paused: boolean;
  /** Bumped on every seek, so the answer to a fetch sent before is dropped. */
  generation: number;
}

/**
 * Reads one topic's partitions with Fetch requests of its own (read_committed), one connection
 * per leader, and hands each partition's record batches on undecoded: decoding happens on the
 * processing threads. The client library (client.ts) does everything else (groups, offsets, metadata);
 * a client's consumer turned every record into objects on the main thread, the largest cost there.
 * Where each partition is read is the reader's decision (`seek`, `pause`, `resume`); the fetcher
 * moves on from there as records are delivered.
 */
export class TopicFetcher {
  private readonly places = new Map<number, PartitionPlace>();
  private readonly order: FetchOrder;
  private admin: KafkaAdmin | undefined;
  private leaders: TopicLeaders | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly topic: string,
    private readonly options: TopicFetcherOptions,
  ) {
    this.order = new FetchOrder(options.fairShareBytes);
  }

  /** Reads where the topic's partitions are led and starts fetching; resolves with the partitions. */
  async start(): Promise<number[]> {
    const admin = (this.admin = this.options.kafka.admin());
    try {
      await admin.connect();
      if (!(await admin.listTopics()).includes(this.topic)) throw new MissingTopicError(this.topic);
      this.leaders = new TopicLeaders(this.topic, admin);
      await this.leaders.refreshIfDue();
      for (const partition of this.leaders.partitions) this.place(partition);
    } catch (err) {
      await boundedWait(admin.disconnect(), LEAVE_WAIT_MS);
      throw err;
    }
    this.loop = this.run();
    return [...this.places.keys()];
  }

  /**
   * Reads `partition` from `offset` on. Records fetched before and not yet handed over are stale
   * (`isCurrent`). A seek also ends a pause the fetcher made itself over unreadable records.
   */
  seek(partition: number, offset: number): void {
    const place = this.place(partition);
    place.offset = offset;
    place.paused = false;
    place.generation++;
    this.wake?.();
  }

  /**
   * False once `partition` was sought after the fetch of that `generation` was sent: its records
   * are then not to be handed over (a delivery waits its turn behind the reader's other work,
   * which may point the partition elsewhere). A pause leaves deliveries current: a delivery moved
   * the fetcher's position already, and the reader must move its own along by taking it, or it
   * would later resume the partition (no seek) past records it never handed over.
   */
  isCurrent(partition: number, generation: number): boolean {
    return this.places.get(partition)?.generation === generation;
  }

  /** Stops fetching `partition`; an answer that arrives while it is paused is dropped unread. */
  pause(partition: number): void {
    this.place(partition).paused = true;
  }

  resume(partition: number): void {
    this.place(partition).paused = false;
    this.wake?.();
  }

  /** Stops fetching; a fetch in flight is dropped. Waits `LEAVE_WAIT_MS` at most for the admin to let go. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.leaders?.closeAll();
    await boundedWait(this.loop ?? Promise.resolve(), LEAVE_WAIT_MS);
    if (this.admin) await boundedWait(this.admin.disconnect(), LEAVE_WAIT_MS);
  }

  private place(partition: number): PartitionPlace {
    let place = this.places.get(partition);
    if (!place) {
      place = { offset: undefined, paused: false, generation: 0 };
      this.places.set(partition, place);
      this.order.add(partition);
    }
    return place;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        if (await this.leaders!.refreshIfDue()) {
          for (const partition of this.leaders!.partitions) this.place(partition);
          this.options.partitionsChanged([...this.places.keys()]);
        }
        if (this.closed) break;
        const requests = this.requestsByLeader();
        if (requests.size === 0) {
          await this.idle(1_000);
          continue;
        }
        // Every leader's fetch settles (and its holds are waited for) before a failure is retried,
        // so no partition is fetched twice at once.
        const fetches = await Promise.allSettled([...requests].map(([leader, partitions]) => this.fetchFrom(leader, partitions)));
        const holds = await Promise.allSettled(fetches.flatMap((f) => (f.status === 'fulfilled' ? f.value : [])));
        const failure = [...fetches, ...holds].find((f) => f.status === 'rejected');
        if (failure) throw failure.reason;
        failures = 0;
      } catch (err) {
        if (this.closed) break;
        this.leaders!.markStale();
        const delay = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** failures++);
        this.options.log.warn({ topic: this.topic, error: (err as Error).message, retryInMs: delay }, 'topic reader error; retrying');
        await this.idle(delay);
      }
    }
    // A connection opened while the fetcher closed (a refresh was under way) is closed too.
    this.leaders?.closeAll();
  }

  /** Waits `ms`, or less when a partition is pointed somewhere or the fetcher closes. */
  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  /** The partitions to fetch now, grouped by their leader's node id, in fetch order. */
  private requestsByLeader(): Map<number, number[]> {
    const requests = new Map<number, number[]>();
    for (const partition of this.order.partitions) {
      const place = this.places.get(partition)!;
      if (place.offset === undefined || place.paused) continue;
      const leader = this.leaders!.leaderOf(partition);
      if (leader === undefined) continue;
      requests.get(leader)?.push(partition) ?? requests.set(leader, [partition]);
    }
    return requests;
  }

  /** Fetches `partitions` from their leader and delivers what came; returns the deliveries' holds. */
  private async fetchFrom(leader: number, partitions: number[]): Promise<Array<Promise<void>>> {
    const connection = this.leaders!.connectionTo(leader);
    const asked = new Map(
      partitions.map((partition) => {
        const place = this.places.get(partition)!;
        return [partition, { place, offset: place.offset!, generation: place.generation }];
      }),
    );
    const body = await connection.request(
      (correlationId) =>
        encodeFetchRequest(correlationId, this.options.clientId, {
          maxWaitMs: FETCH_MAX_WAIT_MS,
          minBytes: 1,
          maxBytes: FETCH_MAX_BYTES,
          readCommitted: true,
          topic: this.topic,
          partitions: [...asked].map(([partition, { offset }]) => ({ partition, offset, maxBytes: PARTITION_MAX_BYTES })),
        }),
      REQUEST_TIMEOUT_MS + FETCH_MAX_WAIT_MS,
    );
    if (this.closed) return [];
    const response = decodeFetchResponse(body, this.topic);
    const holds: Array<Promise<void>> = [];
    const failed: string[] = [];
    const starved: number[] = [];
    const served: Array<[partition: number, bytes: number]> = [];
    if (response.throttleMs > 0) holds.push(new Promise((r) => setTimeout(r, response.throttleMs)));
    for (const fetched of response.partitions) {
      const sent = asked.get(fetched.partition);
      // Sought since (the answer is for an old position) or paused since: dropped before the
      // position moves, so the fetcher reads it again once resumed.
      if (!sent || sent.place.generation !== sent.generation || sent.place.paused) continue;
      const { place, offset, generation } = sent;
      if (fetched.errorCode === KafkaErrorCode.OFFSET_OUT_OF_RANGE) {
        holds.push(this.outOfRange(fetched.partition, offset, place));
        continue;
      }
      if (fetched.errorCode !== KafkaErrorCode.NONE) {
        failed.push(`partition ${fetched.partition}: ${kafkaErrorName(fetched.errorCode)}`);
        continue;
      }
      let next: number | undefined;
      try {
        next = nextOffsetAfter(fetched.records);
      } catch (err) {
        if (!(err instanceof UnsupportedRecordsError || err instanceof CorruptRecordsError)) throw err;
        this.pause(fetched.partition);
        this.options.unreadable(fetched.partition, offset, err);
        continue;
      }
      if (next === undefined) {
        if (fetched.records.length > 0) starved.push(fetched.partition);
        continue;
      }
      place.offset = next;
      served.push([fetched.partition, fetched.records.length]);
      const hold = this.options.deliver({ partition: fetched.partition, records: fetched.records, from: offset, next, aborted: fetched.aborted, generation });
      if (hold) holds.push(hold);
    }
    this.order.answered(served, starved);
    if (failed.length > 0) {
      // Every hold settles first (see run); the partitions' errors are what the retry reports.
      await Promise.allSettled(holds);
      throw new PartitionFetchError(this.topic, failed);
    }
    return holds;
  }

  // An offset the log no longer has. Below its start (retention deleted it), it is read from the
  // earliest one the log still has, as kafkajs' consumer did for the reader (fromBeginning): the
  // jobs' open batches still commit from their checkpoints, so their commits move the checkpoints
  // past the gap. Beyond its end, the log started over (a topic created again): reading from its
  // start here would hand over records every job drops as re-deliveries (they are below where the
  // jobs read), so the jobs decide where to go on, and the partition waits for their seek.
  private async outOfRange(partition: number, offset: number, place: PartitionPlace): Promise<void> {
    const generation = place.generation;
    const offsets = await this.admin!.fetchTopicOffsets(this.topic);
    const marks = offsets.find((o) => o.partition === partition);
    const low = Number(marks?.low ?? 0);
    const high = Number(marks?.high ?? 0);
    if (place.generation !== generation) return;
    if (offset > high) {
      place.offset = undefined;
      this.options.logRestarted(partition, offset, low, high);
      return;
    }
    this.options.log.warn({ topic: this.topic, partition, offset, restartAt: low }, 'offset out of range; reading from the earliest offset the log has');
    place.offset = low;
  }
}
