import { describe, expect, it } from 'vitest';
import { decodeMetadataResponse, encodeMetadataRequest, NO_TOPIC_ID } from '../../src/kafka/metadata-wire.js';
import { KafkaProtocolError } from '../../src/kafka/wire-reader.js';
import { carray, cat, cstr, cuts, i16, i32, i8, str, tags, uuid } from '../support/kafka-wire.js';

const TOPIC_ID = '0123456789abcdef0123456789abcdef';

/** A Metadata v12 response body (after the correlation id): two brokers, one topic of two partitions. */
function responseV12(topicError = 0, name: string | null = 'game-events'): Buffer {
  const broker = (id: number, host: string, port: number, rack: string | null) => cat(i32(id), cstr(host), i32(port), cstr(rack), tags());
  const partition = (error: number, index: number, leader: number, epoch: number) =>
    cat(i16(error), i32(index), i32(leader), i32(epoch), carray([i32(1), i32(2)]), carray([i32(leader)]), carray([]), tags());
  return cat(
    tags(), // response header
    i32(0),
    carray([broker(1, 'kafka-1.example', 9092, 'rack-a'), broker(2, 'kafka-2.example', 9093, null)]),
    cstr('cluster-x'),
    i32(1),
    carray([cat(i16(topicError), cstr(name), uuid(TOPIC_ID), i8(0), carray([partition(0, 0, 1, 7), partition(5, 1, -1, 8)]), i32(-2147483648), tags())]),
    tags(),
  );
}

describe('Metadata request', () => {
  it('writes header v2 and a v12 body for one topic, without auto-creation', () => {
    const frame = encodeMetadataRequest(7, 'gp', 12, ['game-events']);
    const body = cat(i16(3), i16(12), i32(7), str('gp'), tags(), carray([cat(uuid(NO_TOPIC_ID), cstr('game-events'), tags())]), i8(0), i8(0), tags());
    expect(frame).toEqual(cat(i32(body.length), body));
  });

  it('writes v9 without topic ids and with the cluster authorized operations flag', () => {
    const frame = encodeMetadataRequest(1, 'gp', 9, ['t']);
    const body = cat(i16(3), i16(9), i32(1), str('gp'), tags(), carray([cat(cstr('t'), tags())]), i8(0), i8(0), i8(0), tags());
    expect(frame).toEqual(cat(i32(body.length), body));
  });

  it('refuses a version it does not write', () => {
    expect(() => encodeMetadataRequest(1, 'gp', 8, ['t'])).toThrow(RangeError);
  });
});

describe('Metadata response', () => {
  it('reads the brokers, the topic id and each partition leader and epoch', () => {
    expect(decodeMetadataResponse(responseV12(), 12)).toEqual({
      brokers: [
        { nodeId: 1, host: 'kafka-1.example', port: 9092 },
        { nodeId: 2, host: 'kafka-2.example', port: 9093 },
      ],
      topics: [
        {
          errorCode: 0,
          name: 'game-events',
          topicId: TOPIC_ID,
          partitions: [
            { partition: 0, errorCode: 0, leader: 1, leaderEpoch: 7 },
            { partition: 1, errorCode: 5, leader: -1, leaderEpoch: 8 },
          ],
        },
      ],
    });
  });

  it('reads a v9 answer (no topic id, cluster authorized operations at the end)', () => {
    const body = cat(tags(), i32(0), carray([]), cstr(null), i32(-1), carray([cat(i16(3), cstr('gone'), i8(0), carray([]), i32(0), tags())]), i32(0), tags());
    expect(decodeMetadataResponse(body, 9).topics).toEqual([{ errorCode: 3, name: 'gone', topicId: NO_TOPIC_ID, partitions: [] }]);
  });

  it('throws KafkaProtocolError for a body cut anywhere, bytes left over, or a nameless topic', () => {
    const body = responseV12();
    for (const cut of cuts(body)) expect(() => decodeMetadataResponse(cut, 12), `cut at ${cut.length}`).toThrow(KafkaProtocolError);
    expect(() => decodeMetadataResponse(cat(body, i8(0)), 12)).toThrow(/Metadata response has 1 bytes after/);
    expect(() => decodeMetadataResponse(responseV12(100, null), 12)).toThrow(/topic without a name/);
  });

  it('refuses a garbage count before allocating for it', () => {
    const body = cat(tags(), i32(0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(() => decodeMetadataResponse(body, 12)).toThrow(/truncated: 4294967294 brokers/);
  });
});
