/**
 * Kafka error codes the fetch path meets (https://kafka.apache.org/protocol#protocol_error_codes):
 * the fetcher acts on some, and names the others in its retry log.
 */
export const KafkaErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  REPLICA_NOT_AVAILABLE: 9,
  NETWORK_EXCEPTION: 13,
  TOPIC_AUTHORIZATION_FAILED: 29,
  UNSUPPORTED_VERSION: 35,
  KAFKA_STORAGE_ERROR: 56,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  OFFSET_NOT_AVAILABLE: 78,
  UNKNOWN_TOPIC_ID: 100,
  INCONSISTENT_TOPIC_ID: 103,
} as const;

const ERROR_NAMES = new Map<number, string>(Object.entries(KafkaErrorCode).map(([name, code]) => [code, name]));

/** The name of a Kafka error code, e.g. 'NOT_LEADER_OR_FOLLOWER', or `error ${code}` for codes not in KafkaErrorCode. */
export function kafkaErrorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `error ${code}`;
}

/**
 * The errors after which a partition's leader is to be looked up again at once: the broker asked
 * no longer leads it, or leads it in another epoch than the metadata said, or the topic id asked
 * for is gone (the topic was deleted, perhaps created again under a new id).
 */
const STALE_METADATA_CODES: ReadonlySet<number> = new Set([
  KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  KafkaErrorCode.LEADER_NOT_AVAILABLE,
  KafkaErrorCode.NOT_LEADER_OR_FOLLOWER,
  KafkaErrorCode.REPLICA_NOT_AVAILABLE,
  KafkaErrorCode.KAFKA_STORAGE_ERROR,
  KafkaErrorCode.FENCED_LEADER_EPOCH,
  KafkaErrorCode.UNKNOWN_LEADER_EPOCH,
  KafkaErrorCode.UNKNOWN_TOPIC_ID,
  KafkaErrorCode.INCONSISTENT_TOPIC_ID,
]);

/** True for a partition error that says the metadata the request was sent by is out of date. */
export function meansStaleMetadata(code: number): boolean {
  return STALE_METADATA_CODES.has(code);
}
