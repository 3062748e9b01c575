import { WireReader } from './wire-reader.js';
import { requestHeader } from './wire-writer.js';

/**
 * Kafka Metadata v9 to v12 on the wire (https://kafka.apache.org/protocol#The_Messages_Metadata),
 * the flexible versions: the brokers of the cluster and where one topic's partitions are led, with
 * the topic's id (v10+) and each partition's leader epoch. Pure: no I/O. Brokers from 2.4 on
 * answer v9; Kafka 4 answers v12 and no version below 4.
 */
export const METADATA_API_KEY = 3;
export const METADATA_MIN_VERSION = 9;
export const METADATA_MAX_VERSION = 12;

/** The topic id of a topic that has none (a broker before 2.8, or a topic not found). */
export const NO_TOPIC_ID = '0'.repeat(32);

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
}

export interface PartitionMetadata {
  partition: number;
  errorCode: number;
  /** The leader's node id; -1 while none. */
  leader: number;
  /** -1 when the broker does not say. */
  leaderEpoch: number;
}

export interface TopicMetadata {
  errorCode: number;
  name: string;
  /** 32 hex digits; NO_TOPIC_ID when the broker gives none. */
  topicId: string;
  partitions: PartitionMetadata[];
}

export interface MetadataResponse {
  brokers: MetadataBroker[];
  topics: TopicMetadata[];
}

/**
 * The whole frame: header v2, then topics compact [topic_id uuid (v10+, zero), name compact
 * string, tagged fields], allow_auto_topic_creation false, include_cluster_authorized_operations
 * false (v9-v10), include_topic_authorized_operations false, tagged fields.
 */
export function encodeMetadataRequest(correlationId: number, clientId: string, version: number, topics: string[]): Buffer {
  if (version < METADATA_MIN_VERSION || version > METADATA_MAX_VERSION) throw new RangeError(`Metadata v${version} is not one gamepipe writes`);
  const writer = requestHeader(METADATA_API_KEY, version, correlationId, clientId, true);
  writer.compactArray(topics, (name) => {
    if (version >= 10) writer.uuid(NO_TOPIC_ID);
    writer.compactString(`topic name ${JSON.stringify(name)}`, name).noTaggedFields();
  });
  writer.int8(0); // allow_auto_topic_creation: a reader never creates the topic it reads
  if (version <= 10) writer.int8(0);
  return writer.int8(0).noTaggedFields().frame();
}

/** broker: node_id int32, host (>= 1 byte), port int32, rack (>= 1 byte), tagged fields (>= 1 byte). */
const MIN_BROKER_BYTES = 4 + 1 + 4 + 1 + 1;
/** partition: error int16, index int32, leader int32, epoch int32, 3 compact arrays, tagged fields. */
const MIN_PARTITION_BYTES = 2 + 4 + 4 + 4 + 3 + 1;

/**
 * Decodes a Metadata response body of `version` (after the correlation id): response header
 * tagged fields, throttle_time_ms, brokers compact [node_id, host, port, rack, tagged], cluster_id,
 * controller_id, topics compact [error_code, name, topic_id (v10+), is_internal, partitions compact
 * [error_code, partition_index, leader_id, leader_epoch, replica_nodes, isr_nodes,
 * offline_replicas, tagged], topic_authorized_operations, tagged], cluster_authorized_operations
 * (v9-v10), tagged.
 */
export function decodeMetadataResponse(body: Buffer, version: number): MetadataResponse {
  const reader = new WireReader(body, 'Metadata response');
  reader.skipTaggedFields('the response header');
  reader.int32('throttle_time_ms');
  const brokers: MetadataBroker[] = [];
  const brokerCount = reader.compactCount('brokers', MIN_BROKER_BYTES);
  for (let i = 0; i < brokerCount; i++) {
    const nodeId = reader.int32('a broker node id');
    const host = reader.compactString(`the host of broker ${nodeId}`);
    if (host === null) throw reader.error(`has no host for broker ${nodeId}`);
    const port = reader.int32(`the port of broker ${nodeId}`);
    reader.compactString(`the rack of broker ${nodeId}`);
    reader.skipTaggedFields(`broker ${nodeId}`);
    brokers.push({ nodeId, host, port });
  }
  reader.compactString('the cluster id');
  reader.int32('the controller id');
  const topics: TopicMetadata[] = [];
  const topicCount = reader.compactCount('topics', 2 + 1 + 1 + 1 + 4 + 1);
  for (let t = 0; t < topicCount; t++) {
    const errorCode = reader.int16('a topic error code');
    const name = reader.compactString('a topic name');
    const topicId = version >= 10 ? reader.uuid(`the topic id of ${name}`) : NO_TOPIC_ID;
    reader.int8(`is_internal of ${name}`);
    const partitions: PartitionMetadata[] = [];
    const partitionCount = reader.compactCount(`partitions of ${name}`, MIN_PARTITION_BYTES);
    for (let p = 0; p < partitionCount; p++) {
      const partitionError = reader.int16(`a partition error code of ${name}`);
      const partition = reader.int32(`a partition index of ${name}`);
      const where = `partition ${partition} of ${name}`;
      const leader = reader.int32(`the leader of ${where}`);
      const leaderEpoch = reader.int32(`the leader epoch of ${where}`);
      for (const list of ['replica nodes', 'in-sync replicas', 'offline replicas']) {
        const count = reader.compactCount(`the ${list} of ${where}`, 4);
        for (let i = 0; i < count; i++) reader.int32(`one of the ${list} of ${where}`);
      }
      reader.skipTaggedFields(where);
      partitions.push({ partition, errorCode: partitionError, leader, leaderEpoch });
    }
    reader.int32(`topic_authorized_operations of ${name}`);
    reader.skipTaggedFields(`topic ${name}`);
    if (name === null) throw reader.error(`has a topic without a name (error ${errorCode})`);
    topics.push({ errorCode, name, topicId, partitions });
  }
  if (version <= 10) reader.int32('cluster_authorized_operations');
  reader.skipTaggedFields('the response');
  reader.end('its last field');
  return { brokers, topics };
}
