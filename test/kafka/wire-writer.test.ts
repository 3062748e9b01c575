import { describe, expect, it } from 'vitest';
import { WireReader, KafkaProtocolError } from '../../src/kafka/wire-reader.js';
import { requestHeader, WireWriter } from '../../src/kafka/wire-writer.js';
import { cat, cstr, i16, i32, str, tags, uvarint } from '../support/kafka-wire.js';

describe('WireWriter', () => {
  it('writes unsigned varints of one to five bytes', () => {
    for (const value of [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21, 2 ** 28, 0xffff_ffff]) {
      const frame = new WireWriter().unsignedVarint(value).frame();
      expect(frame.subarray(4), `${value}`).toEqual(uvarint(value));
    }
    expect(() => new WireWriter().unsignedVarint(-1)).toThrow(RangeError);
    expect(() => new WireWriter().unsignedVarint(2 ** 32)).toThrow(RangeError);
  });

  it('grows past its first buffer and fills in the size prefix', () => {
    const long = 'x'.repeat(1000);
    const frame = new WireWriter().compactString('a name', long).string('another', null).frame();
    expect(frame).toEqual(cat(i32(frame.length - 4), cstr(long), i16(-1)));
  });

  it('refuses a string longer than Kafka holds, naming it', () => {
    expect(() => new WireWriter().string('the client id', 'x'.repeat(0x8000))).toThrow(/the client id is 32768 bytes long/);
  });

  it('writes header v1 for a non-flexible version and v2 (tagged fields) for a flexible one', () => {
    expect(requestHeader(1, 4, 7, 'gp', false).frame().subarray(4)).toEqual(cat(i16(1), i16(4), i32(7), str('gp')));
    expect(requestHeader(1, 13, 7, 'gp', true).frame().subarray(4)).toEqual(cat(i16(1), i16(13), i32(7), str('gp'), tags()));
  });
});

describe('WireReader', () => {
  it('reads what uvarint wrote, and refuses a varint longer than five bytes', () => {
    for (const value of [0, 128, 16_384, 0xffff_ffff]) expect(new WireReader(uvarint(value), 'R').unsignedVarint('v')).toBe(value);
    expect(() => new WireReader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 'R').unsignedVarint('v')).toThrow(KafkaProtocolError);
  });

  it('skips tagged fields of any size and says what was cut short', () => {
    const body = cat(uvarint(2), uvarint(0), uvarint(3), Buffer.from('abc'), uvarint(5), uvarint(200), Buffer.alloc(200), i32(9));
    const reader = new WireReader(body, 'R');
    reader.skipTaggedFields('x');
    expect(reader.int32('after')).toBe(9);
    expect(() => new WireReader(body.subarray(0, 10), 'Some response').skipTaggedFields('the header')).toThrow(/^Some response is truncated: a tagged field of the header needs 200 bytes/);
  });
});
