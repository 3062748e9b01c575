import { KafkaErrorCode, kafkaErrorName } from './kafka-errors.js';
import { WireReader } from './wire-reader.js';
import { requestHeader } from './wire-writer.js';

/**
 * Kafka ApiVersions v3 on the wire (https://kafka.apache.org/protocol#The_Messages_ApiVersions):
 * which versions of each request a broker answers. Pure: no I/O. A broker that does not know v3
 * answers in v0's layout with UNSUPPORTED_VERSION and its own list, which serves as well. The
 * response header stays v0 (no tagged fields) even for v3, so a client can always read it.
 */
export const API_VERSIONS_API_KEY = 18;
const API_VERSIONS_VERSION = 3;

/** The versions of one request a broker answers, inclusive. */
export interface VersionRange {
  min: number;
  max: number;
}

/** A broker's versions per api key. */
export type ApiVersions = ReadonlyMap<number, VersionRange>;

/** The whole frame: header v2, then client_software_name and _version (compact strings), no tagged fields. */
export function encodeApiVersionsRequest(correlationId: number, clientId: string, softwareVersion: string): Buffer {
  return requestHeader(API_VERSIONS_API_KEY, API_VERSIONS_VERSION, correlationId, clientId, true)
    .compactString('the client software name', 'gamepipe')
    .compactString('the client software version', softwareVersion)
    .noTaggedFields()
    .frame();
}

/**
 * Decodes an ApiVersions response body (after the correlation id): v3's layout (error_code,
 * compact [api_key, min_version, max_version, tagged fields], throttle_time_ms, tagged fields) or,
 * with UNSUPPORTED_VERSION, v0's (error_code, [api_key, min_version, max_version]). Any other
 * error is thrown.
 */
export function decodeApiVersionsResponse(body: Buffer): ApiVersions {
  const reader = new WireReader(body, 'ApiVersions response');
  const errorCode = reader.int16('error_code');
  const versions = new Map<number, VersionRange>();
  const v0 = errorCode === KafkaErrorCode.UNSUPPORTED_VERSION;
  if (errorCode !== KafkaErrorCode.NONE && !v0) throw reader.error(`says ${kafkaErrorName(errorCode)}`);
  const count = v0 ? reader.count('api keys', 6) : reader.compactCount('api keys', 7);
  for (let i = 0; i < count; i++) {
    const apiKey = reader.int16('an api key');
    const min = reader.int16(`the min version of api ${apiKey}`);
    const max = reader.int16(`the max version of api ${apiKey}`);
    if (!v0) reader.skipTaggedFields(`api ${apiKey}`);
    versions.set(apiKey, { min, max });
  }
  if (!v0) {
    reader.int32('throttle_time_ms');
    reader.skipTaggedFields('the response');
  }
  reader.end('its last field');
  return versions;
}

/**
 * The newest version of `apiKey` in [`min`, `max`] the broker answers, or undefined when none:
 * `min` and `max` are the versions the caller can encode.
 */
export function newestVersion(versions: ApiVersions, apiKey: number, min: number, max: number): number | undefined {
  const range = versions.get(apiKey);
  if (!range) return undefined;
  const newest = Math.min(max, range.max);
  return newest >= Math.max(min, range.min) ? newest : undefined;
}
