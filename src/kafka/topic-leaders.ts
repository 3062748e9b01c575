import type { KafkaAdmin } from './client.js';
import { BrokerConnection } from './broker-connection.js';

const CONNECT_TIMEOUT_MS = 3_000;
// Partitions added to the topic are found this late at most (the group's leader finds them within
// its own metadata age and then assigns them).
const METADATA_MAX_AGE_MS = 30_000;
// Stale metadata is read again no sooner than this: a partition whose leader is down stays
// leaderless for a while, and every fetch round would otherwise ask the cluster again first.
const STALE_REFRESH_MIN_MS = 300;

/**
 * Where one topic's partitions are led, and one connection per leading broker: what the topic
 * fetcher needs of the cluster's metadata. The metadata comes from the admin (admin.ts); it is read
 * again when it is older than METADATA_MAX_AGE_MS or was marked stale (a broker error, a leader
 * unknown).
 */
export class TopicLeaders {
  private readonly leaders = new Map<number, number>();
  private readonly brokers = new Map<number, { host: string; port: number }>();
  private readonly connections = new Map<number, BrokerConnection>();
  private stale = true;
  private refreshedAt = 0;

  constructor(
    readonly topic: string,
    private readonly admin: KafkaAdmin,
  ) {}

  /** The topic's partitions as of the last refresh. */
  get partitions(): number[] {
    return [...this.leaders.keys()];
  }

  /** Makes the next `refreshIfDue` read the metadata again. */
  markStale(): void {
    this.stale = true;
  }

  /** Reads the metadata again when it is stale or old; resolves with whether the topic's partitions changed. */
  async refreshIfDue(): Promise<boolean> {
    const age = Date.now() - this.refreshedAt;
    if (this.stale ? age < STALE_REFRESH_MIN_MS : age <= METADATA_MAX_AGE_MS) return false;
    const [cluster, metadata] = await Promise.all([this.admin.describeCluster(), this.admin.fetchTopicMetadata({ topics: [this.topic] })]);
    for (const { nodeId, host, port } of cluster.brokers) {
      const known = this.brokers.get(nodeId);
      if (known && (known.host !== host || known.port !== port)) this.connections.get(nodeId)?.close();
      this.brokers.set(nodeId, { host, port });
    }
    const before = this.leaders.size;
    for (const { partitionId, leader } of metadata.topics.find((t) => t.name === this.topic)?.partitions ?? []) this.leaders.set(partitionId, leader);
    this.stale = false;
    this.refreshedAt = Date.now();
    return this.leaders.size !== before;
  }

  /** The node id leading `partition`, or undefined while none is known (the metadata is then marked stale). */
  leaderOf(partition: number): number | undefined {
    const leader = this.leaders.get(partition);
    if (leader !== undefined && leader >= 0) return leader;
    this.stale = true;
    return undefined;
  }

  /** The connection to broker `leader`, opened again when the last one broke. */
  connectionTo(leader: number): BrokerConnection {
    let connection = this.connections.get(leader);
    if (!connection || connection.broken) {
      const broker = this.brokers.get(leader);
      if (!broker) throw new Error(`no address known for broker ${leader}`);
      connection = new BrokerConnection(broker.host, broker.port, CONNECT_TIMEOUT_MS);
      this.connections.set(leader, connection);
    }
    return connection;
  }

  /** Closes every connection; a request in flight on one is rejected. */
  closeAll(): void {
    for (const connection of this.connections.values()) connection.close();
  }
}
