import { describe, expect, it } from 'vitest';
import {
  decodeSaslAuthenticateResponse,
  decodeSaslHandshakeResponse,
  encodeSaslAuthenticate,
  encodeSaslHandshake,
  SaslProtocolError,
} from '../../../src/kafka/sasl/sasl-wire.js';

describe('SASL requests on the wire', () => {
  it('SaslHandshake v1: size, header v1, the mechanism as an int16 string', () => {
    const frame = encodeSaslHandshake(7, 'gp', 'PLAIN');
    expect(frame.toString('hex')).toBe(
      ['00000013', '0011', '0001', '00000007', '0002', Buffer.from('gp').toString('hex'), '0005', Buffer.from('PLAIN').toString('hex')].join(''),
    );
  });

  it('SaslAuthenticate v2: header v2 (tagged fields), compact bytes, tagged fields', () => {
    const frame = encodeSaslAuthenticate(9, 'gp', Buffer.from('abc'));
    expect(frame.toString('hex')).toBe(['00000012', '0024', '0002', '00000009', '0002', '6770', '00', '04', '616263', '00'].join(''));
  });

  it('compact bytes of 200 take a two-byte varint length', () => {
    const frame = encodeSaslAuthenticate(1, '', Buffer.alloc(200, 1));
    // header: 2+2+4+2+0+1 = 11 bytes, then varint 201 = 0xc9 0x01.
    expect(frame.subarray(4 + 11, 4 + 13).toString('hex')).toBe('c901');
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  });

  it('reads a SaslHandshake response with the enabled mechanisms', () => {
    const body = Buffer.concat([Buffer.from('0021' + '00000002', 'hex'), Buffer.from('\x00\x05PLAIN\x00\x0dSCRAM-SHA-512', 'latin1')]);
    expect(decodeSaslHandshakeResponse(body)).toEqual({ errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-512'] });
  });

  it('reads a SaslAuthenticate v2 response after its header tagged fields', () => {
    const body = Buffer.from(['00', '003a', '05', Buffer.from('nope').toString('hex'), '03', '7879', '0000000000003a98', '00'].join(''), 'hex');
    expect(decodeSaslAuthenticateResponse(body)).toEqual({ errorCode: 58, errorMessage: 'nope', authBytes: Buffer.from('xy'), sessionLifetimeMs: 15000 });
    const ok = Buffer.from(['00', '0000', '00', '01', '0000000000000000', '00'].join(''), 'hex');
    expect(decodeSaslAuthenticateResponse(ok)).toEqual({ errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 });
  });

  it('a truncated response says where it ended', () => {
    expect(() => decodeSaslAuthenticateResponse(Buffer.from('00000005', 'hex'))).toThrow(SaslProtocolError);
    expect(() => decodeSaslHandshakeResponse(Buffer.from('0000000000010005', 'hex'))).toThrow(/SaslHandshake response is truncated: a mechanism needs 5 bytes/);
  });
});
