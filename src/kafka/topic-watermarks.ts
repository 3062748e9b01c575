import { BrokerSecurityError } from './broker-connection.js';
import type { KafkaConnectionSettings } from './connection-settings.js';
import { MissingTopicError, TopicLeaders, type TopicCluster } from './topic-leaders.js';
import type { Watermarks } from './watermarks.js';

/** What reading a topic's watermarks needs of the cluster (TopicLeaders on Kafka; tests pass fakes). */
export type WatermarkCluster = Pick<TopicCluster, 'partitions' | 'refreshIfDue' | 'markStale' | 'watermarks' | 'closeAll'>;

export interface WatermarkReadOptions {
  /** Gives up (with the last error) once this long has passed without every partition answered. */
  deadlineMs: number;
  /** Waits between rounds: the first, doubled after each round that left partitions unanswered. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Injected by tests; `setTimeout` by default. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const RETRY_INITIAL_MS = 200;
const RETRY_MAX_MS = 2_000;

/**
 * Every partition's watermarks, each from its current leader, retried until `deadlineMs`: a leader
 * that moved (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH), one not elected yet
 * (LEADER_NOT_AVAILABLE), a new leader whose high watermark is not known yet
 * (OFFSET_NOT_AVAILABLE, KIP-207) or a broker that is dead or frozen (a connection error or a
 * request timeout) marks the metadata stale, so the next round asks the partition's leader as the
 * cluster names it then. A partition answered once is not asked again. A missing topic or refused
 * connection settings end the read at once: no retry changes them.
 */
export async function readWatermarks(cluster: WatermarkCluster, options: WatermarkReadOptions): Promise<Map<number, Watermarks>> {
  // The reader fetches read_committed: its log ends at the last stable offset.
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + options.deadlineMs;
  const marks = new Map<number, Watermarks>();
  let delay = options.retryInitialMs ?? RETRY_INITIAL_MS;
  for (;;) {
    let failure: Error | undefined;
    try {
      await cluster.refreshIfDue();
      const asked = cluster.partitions.filter((p) => !marks.has(p));
      const answers = await Promise.allSettled(asked.map((p) => cluster.watermarks(p, true)));
      answers.forEach((answer, i) => {
        if (answer.status === 'fulfilled') marks.set(asked[i]!, answer.value);
        else failure ??= answer.reason as Error;
      });
      if (!failure && cluster.partitions.length > 0 && cluster.partitions.every((p) => marks.has(p))) return marks;
      failure ??= new Error('the topic has no partitions yet');
    } catch (err) {
      failure = err as Error;
    }
    if (failure instanceof MissingTopicError || failure instanceof BrokerSecurityError) throw failure;
    cluster.markStale();
    if (now() + delay >= deadline) throw new Error(`reading the watermarks failed for ${(options.deadlineMs / 1000).toFixed(0)} s: ${failure.message}`, { cause: failure });
    await sleep(delay);
    delay = Math.min(options.retryMaxMs ?? RETRY_MAX_MS, delay * 2);
  }
}

/**
 * Reads one topic's watermarks with the fetch path's own Metadata and ListOffsets requests (any
 * live broker for the metadata, each partition's leader for its offsets), over connections of its
 * own, kept between reads; `close` ends them.
 */
export class TopicWatermarks {
  private readonly cluster: WatermarkCluster;

  constructor(topic: string, settings: KafkaConnectionSettings, clientId: string, cluster?: WatermarkCluster) {
    this.cluster = cluster ?? new TopicLeaders(topic, settings, clientId);
  }

  read(deadlineMs: number): Promise<Map<number, Watermarks>> {
    return readWatermarks(this.cluster, { deadlineMs });
  }

  close(): void {
    this.cluster.closeAll();
  }
}
