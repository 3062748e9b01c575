import { describe, expect, it } from 'vitest';
import { decodeListOffsetsResponse, EARLIEST_TIMESTAMP, encodeListOffsetsRequest, LATEST_TIMESTAMP } from '../../src/kafka/list-offsets-wire.js';
import { KafkaProtocolError } from '../../src/kafka/wire-reader.js';
import { carray, cat, cstr, cuts, i16, i32, i64, i8, str, tags } from '../support/kafka-wire.js';

describe('ListOffsets request', () => {
  it('writes header v2, read_uncommitted and the partitions with their leader epochs', () => {
    const frame = encodeListOffsetsRequest(3, 'gp', 7, 'game-events', [
      { partition: 0, currentLeaderEpoch: 4, timestamp: EARLIEST_TIMESTAMP },
      { partition: 2, currentLeaderEpoch: -1, timestamp: LATEST_TIMESTAMP },
    ]);
    const body = cat(
      i16(2), i16(7), i32(3), str('gp'), tags(),
      i32(-1), i8(0),
      carray([cat(cstr('game-events'), carray([cat(i32(0), i32(4), i64(-2), tags()), cat(i32(2), i32(-1), i64(-1), tags())]), tags())]),
      tags(),
    );
    expect(frame).toEqual(cat(i32(body.length), body));
  });

  it('writes read_committed when asked: the latest offset is then the last stable offset', () => {
    const frame = encodeListOffsetsRequest(3, 'gp', 9, 't', [{ partition: 1, currentLeaderEpoch: 2, timestamp: LATEST_TIMESTAMP }], 1);
    const body = cat(i16(2), i16(9), i32(3), str('gp'), tags(), i32(-1), i8(1), carray([cat(cstr('t'), carray([cat(i32(1), i32(2), i64(-1), tags())]), tags())]), tags());
    expect(frame).toEqual(cat(i32(body.length), body));
  });
});

describe('ListOffsets response', () => {
  const body = cat(tags(), i32(0), carray([cat(cstr('t'), carray([cat(i32(0), i16(0), i64(-1), i64(42), i32(3), tags()), cat(i32(1), i16(6), i64(-1), i64(-1), i32(-1), tags())]), tags())]), tags());

  it('reads each partition offset and error', () => {
    expect(decodeListOffsetsResponse(body, 't')).toEqual([
      { partition: 0, errorCode: 0, offset: 42 },
      { partition: 1, errorCode: 6, offset: -1 },
    ]);
  });

  it('throws KafkaProtocolError for a body cut anywhere or an answer about another topic', () => {
    for (const cut of cuts(body)) expect(() => decodeListOffsetsResponse(cut, 't'), `cut at ${cut.length}`).toThrow(KafkaProtocolError);
    expect(() => decodeListOffsetsResponse(body, 'other')).toThrow(/names topic "t" where topic "other" was asked for/);
  });
});
