import { describe, expect, it } from 'vitest';
import { decodeTopicIdFetchResponse, encodeTopicIdFetchRequest, type TopicIdFetchRequest } from '../../src/kafka/fetch-topic-id-wire.js';
import { KafkaProtocolError } from '../../src/kafka/wire-reader.js';
import { encodeRecordBatch } from '../support/record-batches.js';
import { carray, cat, cstr, cuts, i16, i32, i64, i8, str, tags, uuid, uvarint } from '../support/kafka-wire.js';

const TOPIC_ID = 'fedcba9876543210fedcba9876543210';
const request: TopicIdFetchRequest = {
  maxWaitMs: 100,
  minBytes: 1,
  maxBytes: 1 << 20,
  readCommitted: true,
  topicId: TOPIC_ID,
  partitions: [
    { partition: 0, offset: 12, maxBytes: 4096, currentLeaderEpoch: 3 },
    { partition: 4, offset: 2 ** 40, maxBytes: 4096, currentLeaderEpoch: -1 },
  ],
};

function expectedBody(version: number): Buffer {
  const partition = (p: (typeof request.partitions)[number]) => cat(i32(p.partition), i32(p.currentLeaderEpoch), i64(p.offset), i32(-1), i64(-1), i32(p.maxBytes), tags());
  return cat(
    i16(1), i16(version), i32(5), str('gp'), tags(),
    version <= 14 ? i32(-1) : Buffer.alloc(0),
    i32(100), i32(1), i32(1 << 20), i8(1), i32(0), i32(-1),
    carray([cat(uuid(TOPIC_ID), carray(request.partitions.map(partition)), tags())]),
    carray([]),
    cstr(''),
    tags(),
  );
}

describe('Fetch v13+ request', () => {
  it('writes the topic id, each partition leader epoch and no fetch session (v13, with replica_id)', () => {
    const body = expectedBody(13);
    expect(encodeTopicIdFetchRequest(5, 'gp', 13, request)).toEqual(cat(i32(body.length), body));
  });

  it('leaves replica_id out from v15 on', () => {
    const body = expectedBody(17);
    expect(encodeTopicIdFetchRequest(5, 'gp', 17, request)).toEqual(cat(i32(body.length), body));
  });

  it('refuses a version it does not write and a topic id that is no UUID', () => {
    expect(() => encodeTopicIdFetchRequest(5, 'gp', 12, request)).toThrow(RangeError);
    expect(() => encodeTopicIdFetchRequest(5, 'gp', 13, { ...request, topicId: 'x' })).toThrow(RangeError);
  });
});

describe('Fetch v13+ response', () => {
  async function sample() {
    const records = await encodeRecordBatch(12, [{ value: 'a' }, { value: 'b' }]);
    const partition = (index: number, error: number, aborted: Buffer[] | null, recs: Buffer | null) =>
      cat(
        i32(index), i16(error), i64(20), i64(18), i64(0),
        carray(aborted), i32(-1),
        recs === null ? uvarint(0) : cat(uvarint(recs.length + 1), recs),
        // A tagged CurrentLeader (tag 1): skipped.
        error === 0 ? tags() : cat(uvarint(1), uvarint(1), uvarint(9), i32(2), i32(4), tags()),
      );
    const body = cat(
      tags(), i32(7), i16(0), i32(0),
      carray([cat(uuid(TOPIC_ID), carray([partition(0, 0, [cat(i64(99n), i64(13), tags())], records), partition(4, 74, null, null)]), tags())]),
      tags(),
    );
    return { body, records };
  }

  it('reads partitions, aborted transactions and records as views into the body', async () => {
    const { body, records } = await sample();
    const response = decodeTopicIdFetchResponse(body, TOPIC_ID, 'game-events');
    expect(response.throttleMs).toBe(7);
    expect(response.errorCode).toBe(0);
    expect(response.partitions.map(({ records: r, ...rest }) => ({ ...rest, size: r.length }))).toEqual([
      { partition: 0, errorCode: 0, highWatermark: 20, lastStableOffset: 18, aborted: [{ producerId: 99n, firstOffset: 13 }], size: records.length },
      { partition: 4, errorCode: 74, highWatermark: 20, lastStableOffset: 18, aborted: [], size: 0 },
    ]);
    expect(response.partitions[0]!.records.equals(records)).toBe(true);
    expect(response.partitions[0]!.records.buffer).toBe(body.buffer);
  });

  it('throws KafkaProtocolError for a body cut anywhere, another topic id, or bytes left over', async () => {
    const { body } = await sample();
    for (const cut of cuts(body)) expect(() => decodeTopicIdFetchResponse(cut, TOPIC_ID, 't'), `cut at ${cut.length}`).toThrow(KafkaProtocolError);
    expect(() => decodeTopicIdFetchResponse(body, '0'.repeat(32), 't')).toThrow(/names topic id fedcba98/);
    expect(() => decodeTopicIdFetchResponse(cat(body, i8(0)), TOPIC_ID, 't')).toThrow(/1 bytes after/);
  });

  it('returns a top-level error', () => {
    const body = cat(tags(), i32(0), i16(70), i32(0), carray([]), tags());
    expect(decodeTopicIdFetchResponse(body, TOPIC_ID, 't')).toEqual({ throttleMs: 0, errorCode: 70, partitions: [] });
  });
});

describe('Fetch v13+ request with many partitions', () => {
  it('writes every partition of a frame larger than the first buffer', () => {
    const partitions = Array.from({ length: 100 }, (_, partition) => ({ partition, offset: partition * 1000, maxBytes: 262_144, currentLeaderEpoch: partition % 3 }));
    const frame = encodeTopicIdFetchRequest(5, 'gp', 17, { ...request, partitions });
    const body = cat(
      i16(1), i16(17), i32(5), str('gp'), tags(),
      i32(100), i32(1), i32(1 << 20), i8(1), i32(0), i32(-1),
      carray([cat(uuid(TOPIC_ID), carray(partitions.map((p) => cat(i32(p.partition), i32(p.currentLeaderEpoch), i64(p.offset), i32(-1), i64(-1), i32(p.maxBytes), tags()))), tags())]),
      carray([]),
      cstr(''),
      tags(),
    );
    expect(frame).toEqual(cat(i32(body.length), body));
  });
});
