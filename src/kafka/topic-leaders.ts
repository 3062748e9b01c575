import { openBrokerLink, type BrokerLink } from './broker-link.js';
import { BrokerSecurityError } from './broker-connection.js';
import type { KafkaConnectionSettings } from './connection-settings.js';
import { encodeTopicIdFetchRequest, decodeTopicIdFetchResponse, FETCH_TOPIC_ID_MAX_VERSION, FETCH_TOPIC_ID_MIN_VERSION } from './fetch-topic-id-wire.js';
import { decodeFetchResponse, encodeFetchRequest, FETCH_API_KEY, type FetchResponse } from './fetch-wire.js';
import { KafkaErrorCode, kafkaErrorName } from './kafka-errors.js';
import {
  decodeListOffsetsResponse,
  EARLIEST_TIMESTAMP,
  encodeListOffsetsRequest,
  LATEST_TIMESTAMP,
  LIST_OFFSETS_API_KEY,
  LIST_OFFSETS_MAX_VERSION,
  LIST_OFFSETS_MIN_VERSION,
} from './list-offsets-wire.js';
import { decodeMetadataResponse, encodeMetadataRequest, METADATA_API_KEY, METADATA_MAX_VERSION, METADATA_MIN_VERSION, NO_TOPIC_ID, type TopicMetadata } from './metadata-wire.js';
import type { Watermarks } from './watermarks.js';

/** The topic a reader was started for is not in the cluster. */
export class MissingTopicError extends Error {
  constructor(readonly topic: string) {
    super(`topic '${topic}' does not exist (yet)`);
    this.name = 'MissingTopicError';
  }
}

// Partitions added to the topic are found this late at most (the groups find them within their
// own metadata age, and then assign them).
const METADATA_MAX_AGE_MS = 30_000;
// Stale metadata is read again no sooner than this: a partition whose leader is down stays
// leaderless for a while, and every fetch would otherwise ask the cluster again first.
const STALE_REFRESH_MIN_MS = 300;
// Metadata, ApiVersions and ListOffsets are answered at once by a live broker; one that takes
// longer is skipped for the next one.
const ADMIN_REQUEST_TIMEOUT_MS = 5_000;

/** What one Fetch asks of one leader. */
export interface LeaderFetch {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  readCommitted: boolean;
  partitions: Array<{ partition: number; offset: number; maxBytes: number }>;
}

/**
 * What the topic fetcher needs of the cluster: where each partition is led, a Fetch to one leader,
 * and a partition's watermarks. TopicLeaders is the one on Kafka; tests hand the fetcher fakes.
 */
export interface TopicCluster {
  /** The topic's partitions as of the last refresh. */
  readonly partitions: number[];
  /** Reads the metadata when it is stale or old; resolves with whether the partitions changed. Throws MissingTopicError for a topic that is not there. */
  refreshIfDue(): Promise<boolean>;
  /** Makes the next `refreshIfDue` read the metadata again (no sooner than a few hundred ms after the last). */
  markStale(): void;
  /** The node id leading `partition`, or undefined while none is known (the metadata is then marked stale). */
  leaderOf(partition: number): number | undefined;
  /** Sends one Fetch to broker `leader`; rejects on a connection error or after `timeoutMs`. */
  fetch(leader: number, request: LeaderFetch, timeoutMs: number): Promise<FetchResponse>;
  /**
   * `partition`'s log start and end, from its leader; the end is the last stable offset with
   * `readCommitted` (where a read_committed fetch ends), else the high watermark.
   */
  watermarks(partition: number, readCommitted?: boolean): Promise<Watermarks>;
  /** Closes every connection; a request in flight on one is rejected. */
  closeAll(): void;
}

/** The metadata answer says something other than where the topic's partitions are led. */
class MetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataError';
  }
}

interface Leadership {
  leader: number;
  epoch: number;
}

/**
 * Where one topic's partitions are led, and one connection per leading broker, from Metadata
 * requests of its own (flexible versions: the topic's id and each partition's leader epoch). The
 * metadata is asked of any broker that answers, the ones it named last first, then the bootstrap
 * servers; it is read again when older than METADATA_MAX_AGE_MS or marked stale (a broker error,
 * a leader unknown). Connections are built from the connection settings in `openBrokerLink`.
 */
export class TopicLeaders implements TopicCluster {
  private readonly leaders = new Map<number, Leadership>();
  private readonly brokers = new Map<number, { host: string; port: number }>();
  private readonly links = new Map<number, BrokerLink>();
  /** The id the metadata gives the topic; NO_TOPIC_ID before the first refresh or from a broker that has none. */
  private topicId = NO_TOPIC_ID;
  private metadataLink: BrokerLink | undefined;
  /** Where in `addresses()` the next metadata request starts. */
  private nextAddress = 0;
  private stale = true;
  private refreshedAt = 0;
  private refreshing: Promise<boolean> | undefined;
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly settings: KafkaConnectionSettings,
    private readonly clientId: string,
  ) {}

  get partitions(): number[] {
    return [...this.leaders.keys()];
  }

  markStale(): void {
    this.stale = true;
  }

  refreshIfDue(): Promise<boolean> {
    const age = Date.now() - this.refreshedAt;
    if (this.stale ? age < STALE_REFRESH_MIN_MS : age <= METADATA_MAX_AGE_MS) return Promise.resolve(false);
    // Every caller waiting at once shares one request.
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  leaderOf(partition: number): number | undefined {
    const leader = this.leaders.get(partition)?.leader;
    if (leader !== undefined && leader >= 0 && this.brokers.has(leader)) return leader;
    this.stale = true;
    return undefined;
  }

  async fetch(leader: number, request: LeaderFetch, timeoutMs: number): Promise<FetchResponse> {
    const link = this.linkTo(leader);
    const topicId = this.topicId;
    const version = topicId === NO_TOPIC_ID ? undefined : await link.version(FETCH_API_KEY, FETCH_TOPIC_ID_MIN_VERSION, FETCH_TOPIC_ID_MAX_VERSION, ADMIN_REQUEST_TIMEOUT_MS);
    if (version === undefined) {
      const body = await link.request((correlationId) => encodeFetchRequest(correlationId, this.clientId, { ...request, topic: this.topic }), timeoutMs);
      return decodeFetchResponse(body, this.topic);
    }
    const partitions = request.partitions.map((p) => ({ ...p, currentLeaderEpoch: this.leaders.get(p.partition)?.epoch ?? -1 }));
    const body = await link.request((correlationId) => encodeTopicIdFetchRequest(correlationId, this.clientId, version, { ...request, topicId, partitions }), timeoutMs);
    const response = decodeTopicIdFetchResponse(body, topicId, this.topic);
    if (response.errorCode === KafkaErrorCode.NONE) return response;
    // An error for the whole request is every partition's error.
    const empty = Buffer.alloc(0);
    return {
      throttleMs: response.throttleMs,
      partitions: request.partitions.map(({ partition }) => ({ partition, errorCode: response.errorCode, highWatermark: -1, lastStableOffset: -1, aborted: [], records: empty })),
    };
  }

  async watermarks(partition: number, readCommitted = false): Promise<Watermarks> {
    const leader = this.leaderOf(partition);
    if (leader === undefined) throw new MetadataError(`partition ${partition} of topic '${this.topic}' has no leader`);
    const link = this.linkTo(leader);
    const version = await link.requireVersion(LIST_OFFSETS_API_KEY, LIST_OFFSETS_MIN_VERSION, LIST_OFFSETS_MAX_VERSION, ADMIN_REQUEST_TIMEOUT_MS, 'ListOffsets');
    const currentLeaderEpoch = this.leaders.get(partition)?.epoch ?? -1;
    const ask = async (timestamp: number): Promise<number> => {
      const body = await link.request(
        (correlationId) => encodeListOffsetsRequest(correlationId, this.clientId, version, this.topic, [{ partition, currentLeaderEpoch, timestamp }], readCommitted ? 1 : 0),
        ADMIN_REQUEST_TIMEOUT_MS,
      );
      const listed = decodeListOffsetsResponse(body, this.topic).find((l) => l.partition === partition);
      if (!listed) throw new MetadataError(`${link.address} listed no offset for partition ${partition} of topic '${this.topic}'`);
      if (listed.errorCode !== KafkaErrorCode.NONE) {
        this.stale = true;
        throw new MetadataError(`listing offsets of partition ${partition} of topic '${this.topic}' on ${link.address} failed: ${kafkaErrorName(listed.errorCode)}`);
      }
      return listed.offset;
    };
    const [low, high] = await Promise.all([ask(EARLIEST_TIMESTAMP), ask(LATEST_TIMESTAMP)]);
    return { low, high };
  }

  closeAll(): void {
    this.closed = true;
    for (const link of this.links.values()) link.close();
    this.metadataLink?.close();
  }

  /** The link to broker `leader`, opened again when the last one broke. */
  private linkTo(leader: number): BrokerLink {
    let link = this.links.get(leader);
    if (!link || link.broken) {
      const broker = this.brokers.get(leader);
      if (!broker) throw new MetadataError(`no address known for broker ${leader}`);
      link = this.open(broker.host, broker.port);
      this.links.set(leader, link);
    }
    return link;
  }

  private open(host: string, port: number): BrokerLink {
    const link = openBrokerLink(this.settings, host, port, this.clientId);
    // A link opened while the fetcher closed is closed too.
    if (this.closed) link.close();
    return link;
  }

  /** The brokers to ask for metadata: the ones the cluster named last, then the bootstrap servers. */
  private addresses(): string[] {
    const known = [...this.brokers.values()].map(({ host, port }) => `${host}:${port}`);
    return [...new Set([...known, ...this.settings.brokers])];
  }

  private async refresh(): Promise<boolean> {
    const addresses = this.addresses();
    const failures: string[] = [];
    for (let tried = 0; tried < addresses.length; tried++) {
      if (this.closed) throw new Error('the topic fetcher closed');
      const address = addresses[this.nextAddress % addresses.length]!;
      try {
        return this.apply(await this.metadataFrom(address));
      } catch (err) {
        // Every broker takes the same settings: one that refuses them speaks for all of them.
        if (err instanceof MissingTopicError || err instanceof BrokerSecurityError) throw err;
        this.metadataLink?.close();
        this.metadataLink = undefined;
        this.nextAddress = (this.nextAddress + 1) % addresses.length;
        failures.push((err as Error).message);
      }
    }
    throw new MetadataError(`no broker answered metadata for topic '${this.topic}': ${failures.join('; ')}`);
  }

  private async metadataFrom(address: string): Promise<TopicMetadata> {
    if (!this.metadataLink || this.metadataLink.broken || this.metadataLink.address !== address) {
      this.metadataLink?.close();
      const at = address.lastIndexOf(':');
      this.metadataLink = this.open(address.slice(0, at), Number(address.slice(at + 1)));
    }
    const link = this.metadataLink;
    const version = await link.requireVersion(METADATA_API_KEY, METADATA_MIN_VERSION, METADATA_MAX_VERSION, ADMIN_REQUEST_TIMEOUT_MS, 'Metadata');
    const body = await link.request((correlationId) => encodeMetadataRequest(correlationId, this.clientId, version, [this.topic]), ADMIN_REQUEST_TIMEOUT_MS);
    const response = decodeMetadataResponse(body, version);
    const topic = response.topics.find((t) => t.name === this.topic);
    if (!topic || topic.errorCode === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new MissingTopicError(this.topic);
    if (topic.errorCode !== KafkaErrorCode.NONE) throw new MetadataError(`${address} answered metadata for topic '${this.topic}' with ${kafkaErrorName(topic.errorCode)}`);
    for (const { nodeId, host, port } of response.brokers) {
      const known = this.brokers.get(nodeId);
      if (known && (known.host !== host || known.port !== port)) this.links.get(nodeId)?.close();
      this.brokers.set(nodeId, { host, port });
    }
    return topic;
  }

  private apply(topic: TopicMetadata): boolean {
    const before = this.leaders.size;
    this.topicId = topic.topicId;
    for (const { partition, leader, leaderEpoch } of topic.partitions) this.leaders.set(partition, { leader, epoch: leaderEpoch });
    this.stale = false;
    this.refreshedAt = Date.now();
    return this.leaders.size !== before;
  }
}
