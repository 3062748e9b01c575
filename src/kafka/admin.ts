// The admin operations gamepipe needs of a cluster, over @platformatic/kafka's Admin: reachability,
// topics, the brokers and partition leaders, and the watermarks.
import { Admin, FetchIsolationLevels, FindCoordinatorKeyTypes, ListOffsetTimestamps, type BaseOptions, type ClusterMetadata } from '@platformatic/kafka';

/** One broker of the cluster. */
export interface ClusterBroker {
  nodeId: number;
  host: string;
  port: number;
}

/** Where a partition's log starts and where its stable end is (read_committed), as offsets. */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

// Reads that may meet a leader move or a dead listed broker are tried again on fresh metadata this
// many times, BACKOFF_MS apart and doubling: Kafka elects a new leader within a few seconds.
const FRESH_METADATA_ATTEMPTS = 6;
const BACKOFF_MS = 250;

export class KafkaAdmin {
  private readonly admin: Admin;

  constructor(options: BaseOptions) {
    this.admin = new Admin(options);
  }

  /** Resolves once a broker answered a metadata request (the client itself connects on first use). */
  async connect(): Promise<void> {
    await this.admin.metadata({});
  }

  /** Closes the client's connections; a call in flight is rejected. */
  async disconnect(): Promise<void> {
    await this.admin.close();
  }

  async listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  /** The cluster's brokers, from fresh metadata. */
  async describeCluster(): Promise<{ brokers: ClusterBroker[] }> {
    const metadata = await this.admin.metadata({ forceUpdate: true });
    return { brokers: [...metadata.brokers].map(([nodeId, { host, port }]) => ({ nodeId, host, port })) };
  }

  /** Each topic's partitions and their leaders (-1 while none is elected), from fresh metadata. */
  async fetchTopicMetadata({ topics }: { topics: string[] }): Promise<{ topics: { name: string; partitions: { partitionId: number; leader: number }[] }[] }> {
    const metadata = await this.admin.metadata({ topics, forceUpdate: true });
    return { topics: topics.flatMap((name) => topicPartitions(metadata, name)) };
  }

  /**
   * The low and high (last stable) offsets of every partition of `topic`. Asked of each partition's
   * leader; a leader that moved or a listed broker that is down is tried again on fresh metadata.
   */
  async fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.withFreshMetadata(async () => {
      const metadata = await this.admin.metadata({ topics: [topic] });
      const partitions = [...(metadata.topics.get(topic)?.partitions.keys() ?? [])];
      const list = async (timestamp: bigint) => {
        const listed = await this.admin.listOffsets({
          topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        });
        return new Map(listed.flatMap((t) => t.partitions).map((p) => [p.partitionIndex, Number(p.offset)]));
      };
      const [low, high] = await Promise.all([list(ListOffsetTimestamps.EARLIEST), list(ListOffsetTimestamps.LATEST)]);
      return partitions.map((partition) => ({ partition, low: low.get(partition) ?? 0, high: high.get(partition) ?? 0 }));
    });
  }

  /** Creates `topic` unless it exists; resolves once each of its partitions has a leader. */
  async createTopic(topic: string, partitions = 1): Promise<void> {
    if (!(await this.admin.listTopics()).includes(topic)) {
      await this.admin.createTopics({ topics: [topic], partitions, replicas: -1 }).catch((err: Error) => {
        // Another process created it first: what this call wanted.
        if (!/already exists/i.test(describeError(err))) throw err;
      });
    }
    await this.withFreshMetadata(async () => {
      const metadata = await this.admin.metadata({ topics: [topic], forceUpdate: true });
      const leaders = topicPartitions(metadata, topic).flatMap((t) => t.partitions);
      if (leaders.length === 0 || leaders.some((p) => p.leader < 0)) throw new Error(`topic ${topic} has a partition without a leader`);
    });
  }

  /** Deletes `topics`. */
  async deleteTopics(topics: string[]): Promise<void> {
    await this.admin.deleteTopics({ topics });
  }

  /** Deletes the records of `topic`'s partitions below the given offsets. */
  async deleteRecords(topic: string, partitions: { partition: number; offset: number }[]): Promise<void> {
    await this.admin.deleteRecords({ topics: [{ name: topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: BigInt(p.offset) })) }] });
  }

  /** The node id of the broker that coordinates group `groupId` now. */
  async groupCoordinator(groupId: string): Promise<number> {
    const [found] = await this.admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: [groupId] });
    if (!found || found.nodeId < 0) throw new Error(`no coordinator for group ${groupId}`);
    return found.nodeId;
  }

  /** The offsets group `groupId` committed for `topic`, per partition (-1 where none). */
  async groupOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    const [group] = await this.admin.listConsumerGroupOffsets({ groups: [groupId] });
    const partitions = group?.topics.find((t) => t.name === topic)?.partitions ?? [];
    return new Map(partitions.map((p) => [p.partitionIndex, Number(p.committedOffset)]));
  }

  private async withFreshMetadata<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (err) {
        if (attempt >= FRESH_METADATA_ATTEMPTS || this.admin.closed) throw err;
        this.admin.clearMetadata();
        await new Promise((r) => setTimeout(r, BACKOFF_MS * 2 ** (attempt - 1)));
      }
    }
  }
}

function topicPartitions(metadata: ClusterMetadata, name: string): { name: string; partitions: { partitionId: number; leader: number }[] }[] {
  const topic = metadata.topics.get(name);
  if (!topic) return [];
  return [{ name, partitions: topic.partitions.map((p, partitionId) => ({ partitionId, leader: p.leader })) }];
}

/** An error's message with its causes' (the library wraps a broker's answer in MultipleErrors). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = err instanceof AggregateError ? err.errors.map(describeError) : [];
  const cause = err.cause ? [describeError(err.cause)] : [];
  return [err.message, ...inner, ...cause].join(': ');
}
