import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  decodeFetchResponse,
  encodeFetchRequest,
  FETCH_API_KEY,
  FETCH_API_VERSION,
  FetchProtocolError,
  KafkaErrorCode,
  kafkaErrorName,
  type FetchRequest,
} from '../../src/kafka/fetch-wire.js';
import { encodeRecordBatch } from '../support/record-batches.js';

// kafkajs' own protocol code (CommonJS internals, no exports map) is the independent reference.
const require = createRequire(import.meta.url);
type KafkaEncoder = {
  buffer: Buffer;
  writeInt8(v: number): KafkaEncoder;
  writeInt16(v: number): KafkaEncoder;
  writeInt32(v: number): KafkaEncoder;
  writeInt64(v: number | string | bigint): KafkaEncoder;
  writeString(v: string | null): KafkaEncoder;
  writeBytes(v: Buffer | null): KafkaEncoder;
  writeArray(v: KafkaEncoder[]): KafkaEncoder;
};
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => KafkaEncoder;
const kafkajsRequest = require('kafkajs/src/protocol/request.js') as (options: object) => Promise<KafkaEncoder>;
const FetchV4Request = require('kafkajs/src/protocol/requests/fetch/v4/request.js') as (options: object) => object;
const FetchV4Response = require('kafkajs/src/protocol/requests/fetch/v4/response.js') as {
  decode(body: Buffer): Promise<{
    throttleTime: number;
    responses: Array<{
      topicName: string;
      partitions: Array<{ partition: number; errorCode: number; highWatermark: string; lastStableOffset: string; abortedTransactions: Array<{ producerId: string; firstOffset: string }>; messages: unknown[] }>;
    }>;
  }>;
};

/** The frame kafkajs writes for the same Fetch v4 request. */
async function kafkajsFrame(correlationId: number, clientId: string, r: FetchRequest): Promise<Buffer> {
  const request = FetchV4Request({
    replicaId: -1,
    maxWaitTime: r.maxWaitMs,
    minBytes: r.minBytes,
    maxBytes: r.maxBytes,
    isolationLevel: r.readCommitted ? 1 : 0,
    topics: [{ topic: r.topic, partitions: r.partitions.map((p) => ({ partition: p.partition, fetchOffset: String(p.offset), maxBytes: p.maxBytes })) }],
  });
  return (await kafkajsRequest({ correlationId, clientId, request })).buffer;
}

/** A record batch of `values`, timestamps 1 ms apart. */
function batch(firstOffset: number, values: string[]): Promise<Buffer> {
  return encodeRecordBatch(firstOffset, values.map((value, i) => ({ value, timestamp: 1_700_000_000_000 + i })));
}

interface PartitionSpec {
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  aborted: Array<{ producerId: bigint; firstOffset: number }> | null;
  records: Buffer | null;
}

/** A Fetch v4 response body (after size and correlation id), written with kafkajs' Encoder. */
function responseBody(throttleMs: number, topic: string, partitions: PartitionSpec[]): Buffer {
  const encoded = new Encoder().writeInt32(throttleMs).writeArray([
    new Encoder().writeString(topic).writeArray(
      partitions.map((p) => {
        const e = new Encoder().writeInt32(p.partition).writeInt16(p.errorCode).writeInt64(p.highWatermark).writeInt64(p.lastStableOffset);
        if (p.aborted === null) e.writeInt32(-1);
        else e.writeArray(p.aborted.map((a) => new Encoder().writeInt64(a.producerId).writeInt64(a.firstOffset)));
        return e.writeBytes(p.records);
      }),
    ),
  ]);
  return encoded.buffer;
}

describe('encodeFetchRequest', () => {
  const request: FetchRequest = {
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 52_428_800,
    readCommitted: true,
    topic: 'game-events',
    partitions: [
      { partition: 0, offset: 0, maxBytes: 1_048_576 },
      { partition: 3, offset: 1_234_567, maxBytes: 2_097_152 },
      { partition: 11, offset: 2 ** 40 + 3, maxBytes: 1 },
    ],
  };

  it('writes the same frame as kafkajs for the same Fetch v4 request', async () => {
    const ours = encodeFetchRequest(42, 'gamepipe', request);
    expect(ours.equals(await kafkajsFrame(42, 'gamepipe', request))).toBe(true);
    expect(ours.readInt32BE(0)).toBe(ours.length - 4);
    expect([ours.readInt16BE(4), ours.readInt16BE(6), ours.readInt32BE(8)]).toEqual([FETCH_API_KEY, FETCH_API_VERSION, 42]);
  });

  it('matches kafkajs for read_uncommitted, no partitions, non-ASCII names and a large correlation id', async () => {
    const other: FetchRequest = { ...request, readCommitted: false, topic: 'jeux-événements', partitions: [] };
    expect(encodeFetchRequest(0x7fff_fffe, 'client-ü', other).equals(await kafkajsFrame(0x7fff_fffe, 'client-ü', other))).toBe(true);
    const uncommitted = { ...request, readCommitted: false };
    const frame = encodeFetchRequest(1, 'c', uncommitted);
    expect(frame.equals(await kafkajsFrame(1, 'c', uncommitted))).toBe(true);
    // isolation_level sits after size(4) + header(2+2+4+2+1) + replica_id, max_wait, min_bytes, max_bytes (16).
    expect(frame[4 + 11 + 16]).toBe(0);
    expect(encodeFetchRequest(1, 'c', request)[4 + 11 + 16]).toBe(1);
  });

  it('refuses an offset that is not an integer', () => {
    expect(() => encodeFetchRequest(1, 'c', { ...request, partitions: [{ partition: 0, offset: 1.5, maxBytes: 1 }] })).toThrow(RangeError);
  });
});

describe('decodeFetchResponse', () => {
  async function sample() {
    const records0 = Buffer.concat([await batch(100, ['a', 'b', 'c']), await batch(103, ['d'])]);
    const full = await batch(7, ['x', 'y']);
    const records1 = Buffer.concat([full, (await batch(9, ['partial']))!.subarray(0, 20)]); // ends with a partial batch
    const partitions: PartitionSpec[] = [
      { partition: 0, errorCode: 0, highWatermark: 104, lastStableOffset: 104, aborted: null, records: records0 },
      {
        partition: 1,
        errorCode: 0,
        highWatermark: 2 ** 45,
        lastStableOffset: 2 ** 45 - 10,
        aborted: [
          { producerId: 9_007_199_254_740_993n, firstOffset: 3 },
          { producerId: 4n, firstOffset: 2 ** 44 },
        ],
        records: records1,
      },
      { partition: 2, errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, highWatermark: -1, lastStableOffset: -1, aborted: [], records: null },
      { partition: 5, errorCode: 0, highWatermark: 0, lastStableOffset: 0, aborted: null, records: Buffer.alloc(0) },
    ];
    return { partitions, records0, records1, body: responseBody(25, 'game-events', partitions) };
  }

  it('reads what kafkajs Encoder wrote, records as views into the body', async () => {
    const { body, records0, records1 } = await sample();
    const response = decodeFetchResponse(body, 'game-events');
    expect(response.throttleMs).toBe(25);
    expect(response.partitions.map(({ records, ...rest }) => ({ ...rest, records: records.length }))).toEqual([
      { partition: 0, errorCode: 0, highWatermark: 104, lastStableOffset: 104, aborted: [], records: records0.length },
      {
        partition: 1,
        errorCode: 0,
        highWatermark: 2 ** 45,
        lastStableOffset: 2 ** 45 - 10,
        aborted: [
          { producerId: 9_007_199_254_740_993n, firstOffset: 3 },
          { producerId: 4n, firstOffset: 2 ** 44 },
        ],
        records: records1.length,
      },
      { partition: 2, errorCode: 6, highWatermark: -1, lastStableOffset: -1, aborted: [], records: 0 },
      { partition: 5, errorCode: 0, highWatermark: 0, lastStableOffset: 0, aborted: [], records: 0 },
    ]);
    const [p0, p1] = response.partitions;
    expect(p0!.records.equals(records0)).toBe(true);
    expect(p1!.records.equals(records1)).toBe(true);
    // No copy: the records share the body's memory, at the place they were written.
    expect(p1!.records.buffer).toBe(body.buffer);
    expect(p1!.records.byteOffset - body.byteOffset).toBe(body.indexOf(records1));
  });

  it('agrees with kafkajs decoding the same bytes', async () => {
    const { body } = await sample();
    const ours = decodeFetchResponse(body, 'game-events');
    const theirs = await FetchV4Response.decode(body);
    expect(theirs.throttleTime).toBe(ours.throttleMs);
    expect(theirs.responses.map((r) => r.topicName)).toEqual(['game-events']);
    expect(
      theirs.responses[0]!.partitions.map((p) => ({
        partition: p.partition,
        errorCode: p.errorCode,
        highWatermark: Number(p.highWatermark),
        lastStableOffset: Number(p.lastStableOffset),
        aborted: p.abortedTransactions.map((a) => ({ producerId: BigInt(a.producerId), firstOffset: Number(a.firstOffset) })),
      })),
    ).toEqual(ours.partitions.map(({ records: _records, ...rest }) => rest));
    // kafkajs decodes the complete batches' records and drops the partial batch, as nextOffsetAfter will.
    expect(theirs.responses[0]!.partitions.map((p) => p.messages.length)).toEqual([4, 2, 0, 0]);
  });

  it('reads a response with no topics', () => {
    expect(decodeFetchResponse(new Encoder().writeInt32(0).writeArray([]).buffer, 't')).toEqual({ throttleMs: 0, partitions: [] });
  });

  it('throws FetchProtocolError for a response about another topic', async () => {
    const { partitions } = await sample();
    expect(() => decodeFetchResponse(responseBody(0, 'other-topic', partitions), 'game-events')).toThrow(FetchProtocolError);
    expect(() => decodeFetchResponse(responseBody(0, 'other-topic', partitions), 'game-events')).toThrow(/"other-topic".*"game-events"/);
  });

  it('throws FetchProtocolError, never reads out of bounds, for a body cut anywhere', async () => {
    const { body } = await sample();
    for (let length = 0; length < body.length; length++) {
      let error: unknown;
      try {
        decodeFetchResponse(body.subarray(0, length), 'game-events');
      } catch (err) {
        error = err;
      }
      expect(error, `cut at ${length}`).toBeInstanceOf(FetchProtocolError);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('says what was short', async () => {
    const { body } = await sample();
    expect(() => decodeFetchResponse(body.subarray(0, 2), 'game-events')).toThrow(/truncated: throttle_time_ms needs 4 bytes at byte 0 but the body has 2 left/);
    expect(() => decodeFetchResponse(body.subarray(0, body.length - 1), 'game-events')).toThrow(/the records of partition 5 of game-events|truncated/);
  });

  it('throws FetchProtocolError for bytes after the last partition, a garbage count or an offset beyond 2^53', async () => {
    const { body } = await sample();
    expect(() => decodeFetchResponse(Buffer.concat([body, Buffer.from([0])]), 'game-events')).toThrow(FetchProtocolError);
    expect(() => decodeFetchResponse(new Encoder().writeInt32(0).writeInt32(0x7fff_ffff).buffer, 't')).toThrow(FetchProtocolError);
    const huge = responseBody(0, 't', [{ partition: 0, errorCode: 0, highWatermark: 0, lastStableOffset: 0, aborted: null, records: null }]);
    huge.writeInt32BE(0x0100_0000, 4 + 4 + 2 + 1 + 4 + 4 + 2); // the high watermark's high word
    expect(() => decodeFetchResponse(huge, 't')).toThrow(/high watermark of partition 0 of t .* beyond 2\^53/);
  });
});

describe('kafkaErrorName', () => {
  it('names the codes the fetcher acts on and numbers the others', () => {
    expect(kafkaErrorName(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(kafkaErrorName(1)).toBe('OFFSET_OUT_OF_RANGE');
    expect(kafkaErrorName(0)).toBe('NONE');
    expect(kafkaErrorName(78)).toBe('OFFSET_NOT_AVAILABLE');
    expect(kafkaErrorName(48)).toBe('error 48');
    expect(kafkaErrorName(100)).toBe('UNKNOWN_TOPIC_ID');
  });
});
