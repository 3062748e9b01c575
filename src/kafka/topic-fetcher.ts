import { boundedWait, LEAVE_WAIT_MS } from '../bounded-wait.js';
import type { Logger } from '../logger.js';
import { kafkaSettings, type KafkaConnectionSettings } from './connection-settings.js';
import { FetchOrder } from './fetch-order.js';
import type { AbortedTransaction } from './fetch-wire.js';
import { KafkaErrorCode, kafkaErrorName, meansStaleMetadata } from './kafka-errors.js';
import { CorruptRecordsError, nextOffsetAfter, UnsupportedRecordsError } from './record-batch-format.js';
import { MissingTopicError, TopicLeaders, type TopicCluster } from './topic-leaders.js';
import { WakeSignal } from './wake-signal.js';

export { MissingTopicError };


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
  /** The cluster to read (this process's connection settings by default). */
  settings?: KafkaConnectionSettings;
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
  /** Where the partitions are led and how a Fetch reaches a leader (TopicLeaders by default; tests pass fakes). */
  cluster?: TopicCluster;
}

// With data waiting the broker answers at once whatever the wait (min bytes 1); the wait only
// paces the polls of a topic that is caught up.
const FETCH_MAX_WAIT_MS = 100;
// Small fetches: each one becomes one message to a processing thread, and what one thread holds
// is bounded by a number of messages.
const PARTITION_MAX_BYTES = 256 * 1024;
const FETCH_MAX_BYTES = 1024 * 1024;
// Well below a group's session timeout: a frozen broker is given up on (and its partitions looked
// up again) before the jobs' group members would be.
const REQUEST_TIMEOUT_MS = 10_000;
const RETRY_INITIAL_MS = 300;
const RETRY_MAX_MS = 10_000;
// How long a loop with nothing to fetch sleeps before it looks again (a seek or resume wakes it).
const IDLE_MS = 1_000;
// A fetch unanswered this long (its wait is FETCH_MAX_WAIT_MS) suggests a frozen broker: while one
// is, or a loop is failing, the metadata is read every SUSPECT_REFRESH_MS, so partitions follow a
// new leader as soon as the cluster elects one rather than after the request timeout.
const SLOW_FETCH_MS = 2_000;
const SUSPECT_REFRESH_MS = 1_000;

interface PartitionPlace {
  /** Where the next fetch reads; undefined until the reader points the partition somewhere. */
  offset: number | undefined;
  paused: boolean;
  /** Bumped on every seek, so the answer to a fetch sent before is dropped. */
  generation: number;
  /**
   * The fetch that has the partition in flight, if any: no partition is in two fetches at once.
   * Released when that fetch settles, or when the metadata moves the partition to another leader
   * (that fetch's answer for it is then dropped, and the new leader reads from the same offset).
   */
  claim: { fetch: number; leader: number } | undefined;
  /** Not fetched again before this time (ms): its leader answered it with an error. */
  retryAt: number;
  /** Errors its leader answered it with in a row; its hold-back doubles with each. */
  failures: number;
  /** The error its last fetch met, while it lasts: a warn line when it starts, none per retry. */
  failing: string | undefined;
}

/** One leader's fetch loop: fetches only the partitions that broker leads, independently of the others. */
interface BrokerLoop {
  leader: number;
  /** Fetches failed in a row; the backoff doubles with each. */
  failures: number;
  /** When the fetch in flight was sent (ms), undefined while none is. */
  sentAt: number | undefined;
  done: Promise<void>;
}

/** Fetches in flight are numbered, so a claim names the fetch that holds it. */
let fetchIds = 0;

/**
 * Reads one topic's partitions with Fetch requests of its own (read_committed) and hands each
 * partition's record batches on undecoded: decoding happens on the processing threads. Every
 * broker that leads partitions of the topic has a fetch loop of its own, so a broker that fails or
 * freezes holds up only the partitions it leads: a request it does not answer within
 * REQUEST_TIMEOUT_MS, a broken connection or an answer that it no longer leads a partition makes
 * the metadata be read again at once, and the partitions follow their new leader to its loop.
 * Each loop backs off on its own and starts afresh on its first success. Where each partition is
 * read is the reader's decision (`seek`, `pause`, `resume`); the fetcher moves on from there as
 * records are delivered.
 */
export class TopicFetcher {
  private readonly places = new Map<number, PartitionPlace>();
  private readonly order: FetchOrder;
  private readonly signal = new WakeSignal();
  private readonly loops = new Map<number, BrokerLoop>();
  private leaders: TopicCluster | undefined;
  private metadataLoop: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly options: TopicFetcherOptions,
  ) {
    this.order = new FetchOrder(options.fairShareBytes);
  }

  /** Reads where the topic's partitions are led and starts fetching; resolves with the partitions. */
  async start(): Promise<number[]> {
    const leaders = (this.leaders = this.options.cluster ?? new TopicLeaders(this.topic, this.options.settings ?? kafkaSettings(), this.options.clientId));
    try {
      // Throws MissingTopicError for a topic the cluster does not have.
      await leaders.refreshIfDue();
      for (const partition of leaders.partitions) this.place(partition);
    } catch (err) {
      leaders.closeAll();
      throw err;
    }
    this.metadataLoop = this.followMetadata();
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
    this.startLoops();
    this.signal.wake();
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
    this.startLoops();
    this.signal.wake();
  }

  /** Stops fetching; a fetch in flight is dropped. Waits `LEAVE_WAIT_MS` at most for the loops to end. */
  async close(): Promise<void> {
    this.closed = true;
    this.signal.wake();
    this.leaders?.closeAll();
    const loops = [this.metadataLoop, ...[...this.loops.values()].map((l) => l.done)];
    await boundedWait(Promise.allSettled(loops), LEAVE_WAIT_MS);
    // A connection opened while the fetcher closed (a refresh was under way) is closed too.
    this.leaders?.closeAll();
  }

  private place(partition: number): PartitionPlace {
    let place = this.places.get(partition);
    if (!place) {
      place = { offset: undefined, paused: false, generation: 0, claim: undefined, retryAt: 0, failures: 0, failing: undefined };
      this.places.set(partition, place);
      this.order.add(partition);
    }
    return place;
  }

  /** True when `place` is to be fetched now (by its leader's loop). */
  private wanted(place: PartitionPlace, now: number): boolean {
    return place.offset !== undefined && !place.paused && place.claim === undefined && place.retryAt <= now;
  }

  /**
   * Reads the metadata whenever a loop marked it stale (at most every few hundred ms, see
   * TopicLeaders) or it is old; releases the partitions that moved to another leader and starts
   * a loop for every leader of a partition to be read.
   */
  private async followMetadata(): Promise<void> {
    let failures = 0;
    let failing = false;
    let suspectRefreshAt = 0;
    while (!this.closed) {
      try {
        if (this.brokerSuspect() && Date.now() >= suspectRefreshAt) {
          suspectRefreshAt = Date.now() + SUSPECT_REFRESH_MS;
          this.leaders!.markStale();
        }
        if (await this.leaders!.refreshIfDue()) {
          for (const partition of this.leaders!.partitions) this.place(partition);
          this.options.partitionsChanged([...this.places.keys()]);
        }
        if (this.closed) break;
        if (failing) this.options.log.info({ topic: this.topic }, 'topic metadata read again');
        failures = 0;
        failing = false;
        this.releaseMoved();
        this.startLoops();
        await this.signal.sleep(RETRY_INITIAL_MS);
      } catch (err) {
        if (this.closed) break;
        this.leaders!.markStale();
        const delay = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** failures++);
        if (!failing) this.options.log.warn({ topic: this.topic, error: (err as Error).message, retryInMs: delay }, 'reading topic metadata failed; retrying');
        failing = true;
        await this.signal.sleep(delay);
      }
    }
  }

  /** True while a loop is failing or has a fetch unanswered for longer than a broker takes. */
  private brokerSuspect(): boolean {
    const now = Date.now();
    for (const loop of this.loops.values()) if (loop.failures > 0 || (loop.sentAt !== undefined && now - loop.sentAt > SLOW_FETCH_MS)) return true;
    return false;
  }

  /** Partitions in flight on a broker that no longer leads them are free for their new leader. */
  private releaseMoved(): void {
    let moved = false;
    for (const [partition, place] of this.places) {
      if (!place.claim) continue;
      const leader = this.leaders!.leaderOf(partition);
      if (leader !== undefined && leader !== place.claim.leader) {
        place.claim = undefined;
        moved = true;
      }
    }
    if (moved) this.signal.wake();
  }

  /** Starts a fetch loop for each leader of a partition to be read that has none. */
  private startLoops(): void {
    if (this.closed || !this.leaders) return;
    for (const [partition, place] of this.places) {
      if (place.offset === undefined || place.paused) continue;
      const leader = this.leaders.leaderOf(partition);
      if (leader === undefined || this.loops.has(leader)) continue;
      const loop: BrokerLoop = { leader, failures: 0, sentAt: undefined, done: Promise.resolve() };
      this.loops.set(leader, loop);
      loop.done = this.runLoop(loop).finally(() => {
        if (this.loops.get(leader) === loop) this.loops.delete(leader);
      });
    }
  }

  /** The partitions `leader` leads that are to be fetched now, in fetch order. */
  private partitionsOf(leader: number): number[] {
    const now = Date.now();
    return this.order.partitions.filter((partition) => this.wanted(this.places.get(partition)!, now) && this.leaders!.leaderOf(partition) === leader);
  }

  /** True while `leader` leads a partition to be read (in flight, waiting or backing off). */
  private leads(leader: number): boolean {
    for (const [partition, place] of this.places) {
      if (place.offset !== undefined && !place.paused && this.leaders!.leaderOf(partition) === leader) return true;
    }
    return false;
  }

  private async runLoop(loop: BrokerLoop): Promise<void> {
    const { leader } = loop;
    while (!this.closed) {
      const partitions = this.partitionsOf(leader);
      if (partitions.length === 0) {
        // A loop whose broker leads nothing to be read ends; one is started again when needed.
        if (!this.leads(leader)) return;
        await this.signal.sleep(this.nextRetryIn(leader));
        continue;
      }
      try {
        await this.fetchFrom(loop, partitions);
        if (loop.failures > 0) this.options.log.info({ topic: this.topic, broker: leader }, 'fetching from broker again');
        loop.failures = 0;
      } catch (err) {
        if (this.closed) return;
        // The broker may be gone, frozen or no leader any more: its partitions are looked up again at once.
        this.leaders!.markStale();
        this.signal.wake();
        const delay = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** loop.failures++);
        if (loop.failures === 1) this.options.log.warn({ topic: this.topic, broker: leader, error: (err as Error).message, retryInMs: delay }, 'fetching from broker failed; retrying');
        await this.backoff(leader, delay);
      }
    }
  }

  /** Sleeps `ms`, or less once none of the partitions this loop had is still led by `leader`. */
  private async backoff(leader: number, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.closed && Date.now() < until && this.leads(leader)) await this.signal.sleep(until - Date.now());
  }

  /** How long until a partition `leader` leads may be fetched again (a partition error holds it back). */
  private nextRetryIn(leader: number): number {
    const now = Date.now();
    let soonest = IDLE_MS;
    for (const [partition, place] of this.places) {
      if (place.retryAt > now && this.leaders!.leaderOf(partition) === leader) soonest = Math.min(soonest, place.retryAt - now);
    }
    return soonest;
  }

  /**
   * Fetches `partitions` from their leader, delivers what came and waits for the deliveries' holds
   * (which also hold this loop's next fetch). The partitions stay claimed until then.
   */
  private async fetchFrom(loop: BrokerLoop, partitions: number[]): Promise<void> {
    const { leader } = loop;
    const fetch = ++fetchIds;
    const asked = new Map(
      partitions.map((partition) => {
        const place = this.places.get(partition)!;
        place.claim = { fetch, leader };
        return [partition, { place, offset: place.offset!, generation: place.generation }];
      }),
    );
    try {
      loop.sentAt = Date.now();
      const holds = await this.fetchClaimed(leader, fetch, asked).finally(() => (loop.sentAt = undefined));
      const failed = (await Promise.allSettled(holds)).find((h) => h.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      for (const { place } of asked.values()) if (place.claim?.fetch === fetch) place.claim = undefined;
      // A partition released here that has moved meanwhile is waited for by its new leader's loop.
      if ([...asked.keys()].some((partition) => this.leaders!.leaderOf(partition) !== leader)) this.signal.wake();
    }
  }

  private async fetchClaimed(leader: number, fetch: number, asked: Map<number, { place: PartitionPlace; offset: number; generation: number }>): Promise<Array<Promise<void>>> {
    const response = await this.leaders!.fetch(
      leader,
      {
        maxWaitMs: FETCH_MAX_WAIT_MS,
        minBytes: 1,
        maxBytes: FETCH_MAX_BYTES,
        readCommitted: true,
        partitions: [...asked].map(([partition, { offset }]) => ({ partition, offset, maxBytes: PARTITION_MAX_BYTES })),
      },
      REQUEST_TIMEOUT_MS + FETCH_MAX_WAIT_MS,
    );
    if (this.closed) return [];
    const holds: Array<Promise<void>> = [];
    const starved: number[] = [];
    const served: Array<[partition: number, bytes: number]> = [];
    if (response.throttleMs > 0) holds.push(new Promise((r) => setTimeout(r, response.throttleMs)));
    for (const fetched of response.partitions) {
      const sent = asked.get(fetched.partition);
      // Sought since (the answer is for an old position), paused since, or moved to another leader
      // since: dropped before the position moves, so the fetcher reads it again where it was.
      if (!sent || sent.place.generation !== sent.generation || sent.place.paused || sent.place.claim?.fetch !== fetch) continue;
      const { place, offset, generation } = sent;
      if (fetched.errorCode === KafkaErrorCode.OFFSET_OUT_OF_RANGE) {
        holds.push(this.outOfRange(fetched.partition, offset, place));
        continue;
      }
      if (fetched.errorCode !== KafkaErrorCode.NONE) {
        this.partitionFailed(fetched.partition, place, leader, fetched.errorCode);
        continue;
      }
      if (place.failing !== undefined) {
        this.options.log.info({ topic: this.topic, partition: fetched.partition, broker: leader }, 'fetching partition again');
        place.failing = undefined;
      }
      place.failures = 0;
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
    return holds;
  }

  /**
   * A partition its leader answered with an error: it is held back for a while (the broker's other
   * partitions go on), and for an error that says the metadata is out of date (another leader, a
   * new leader epoch, a topic id gone) the metadata is read again at once.
   */
  private partitionFailed(partition: number, place: PartitionPlace, leader: number, errorCode: number): void {
    const error = kafkaErrorName(errorCode);
    place.retryAt = Date.now() + Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** place.failures++);
    if (meansStaleMetadata(errorCode)) {
      this.leaders!.markStale();
      this.signal.wake();
    }
    if (place.failing === error) return;
    place.failing = error;
    this.options.log.warn({ topic: this.topic, partition, broker: leader, error }, 'fetching partition failed; retrying');
  }

  // An offset the log no longer has. Below its start (retention deleted it), it is read from the
  // earliest one the log still has, as kafkajs' consumer did for the reader (fromBeginning): the
  // jobs' open batches still commit from their checkpoints, so their commits move the checkpoints
  // past the gap. Beyond its end, the log started over (a topic created again): reading from its
  // start here would hand over records every job drops as re-deliveries (they are below where the
  // jobs read), so the jobs decide where to go on, and the partition waits for their seek.
  private async outOfRange(partition: number, offset: number, place: PartitionPlace): Promise<void> {
    const generation = place.generation;
    const { low, high } = await this.leaders!.watermarks(partition);
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
