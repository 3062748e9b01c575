import { describe, expect, it } from 'vitest';
import { decodeApiVersionsResponse, encodeApiVersionsRequest, newestVersion } from '../../src/kafka/api-versions-wire.js';
import { KafkaProtocolError } from '../../src/kafka/wire-reader.js';
import { array, carray, cat, cstr, cuts, i16, i32, str, tags } from '../support/kafka-wire.js';

describe('ApiVersions', () => {
  it('writes a v3 request with the software name and version', () => {
    const body = cat(i16(18), i16(3), i32(9), str('gp'), tags(), cstr('gamepipe'), cstr('1.2.3'), tags());
    expect(encodeApiVersionsRequest(9, 'gp', '1.2.3')).toEqual(cat(i32(body.length), body));
  });

  const v3 = cat(i16(0), carray([cat(i16(1), i16(4), i16(17), tags()), cat(i16(3), i16(0), i16(12), tags())]), i32(0), cat(Buffer.from([1, 0, 2]), Buffer.from([7, 7])));

  it('reads a v3 answer, skipping its tagged fields', () => {
    expect(decodeApiVersionsResponse(v3)).toEqual(
      new Map([
        [1, { min: 4, max: 17 }],
        [3, { min: 0, max: 12 }],
      ]),
    );
  });

  it('reads the v0 answer of a broker that does not know v3', () => {
    const v0 = cat(i16(35), array([cat(i16(1), i16(0), i16(11))]));
    expect(decodeApiVersionsResponse(v0)).toEqual(new Map([[1, { min: 0, max: 11 }]]));
  });

  it('throws for another error, a body cut anywhere, or bytes left over', () => {
    expect(() => decodeApiVersionsResponse(cat(i16(42), carray([]), i32(0), tags()))).toThrow(/ApiVersions response says error 42/);
    for (const cut of cuts(v3)) expect(() => decodeApiVersionsResponse(cut), `cut at ${cut.length}`).toThrow(KafkaProtocolError);
    expect(() => decodeApiVersionsResponse(cat(v3, i16(0)))).toThrow(KafkaProtocolError);
  });

  it('picks the newest version both sides speak, or none', () => {
    const versions = decodeApiVersionsResponse(v3);
    expect(newestVersion(versions, 1, 13, 17)).toBe(17);
    expect(newestVersion(versions, 1, 13, 15)).toBe(15);
    expect(newestVersion(new Map([[1, { min: 0, max: 12 }]]), 1, 13, 17)).toBeUndefined();
    expect(newestVersion(new Map([[1, { min: 4, max: 17 }]]), 1, 0, 3)).toBeUndefined();
    expect(newestVersion(versions, 2, 6, 9)).toBeUndefined();
  });
});
