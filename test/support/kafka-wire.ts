// Kafka's primitive types written byte by byte, independently of src/kafka/wire-writer.ts: the
// tests build responses (and expected requests) with these.

import { connect } from 'node:net';

export const i8 = (v: number) => Buffer.from([v & 0xff]);
export const i16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
export const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
export const i64 = (v: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
};
/** An unsigned varint, 7 bits a byte, low bits first. */
export function uvarint(v: number): Buffer {
  const out: number[] = [];
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return Buffer.from(out);
}
export const str = (s: string | null) => (s === null ? i16(-1) : Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]));
export const cstr = (s: string | null) => (s === null ? uvarint(0) : Buffer.concat([uvarint(Buffer.byteLength(s) + 1), Buffer.from(s)]));
export const uuid = (hex: string) => Buffer.from(hex, 'hex');
/** No tagged fields. */
export const tags = () => uvarint(0);
export const carray = (items: Buffer[] | null) => (items === null ? uvarint(0) : Buffer.concat([uvarint(items.length + 1), ...items]));
export const array = (items: Buffer[]) => Buffer.concat([i32(items.length), ...items]);
export const cat = (...parts: Buffer[]) => Buffer.concat(parts);

/** Every prefix of `body` shorter than it: each must be refused as truncated. */
export function* cuts(body: Buffer): Generator<Buffer> {
  for (let length = 0; length < body.length; length++) yield body.subarray(0, length);
}

/**
 * Sends one request frame (size prefix included) to the broker at `address` over a socket of the
 * test's own and resolves with the response body after its size; gives up after `timeoutMs`.
 */
export function requestOnce(address: string, frame: Buffer, what: string, timeoutMs: number): Promise<Buffer> {
  const colon = address.lastIndexOf(':');
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(address.slice(colon + 1)), address.slice(0, colon), () => socket.write(frame));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${address} did not answer ${what} within ${timeoutMs} ms`)));
    socket.on('error', reject);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const all = Buffer.concat(chunks);
      if (all.length >= 4 && all.length >= 4 + all.readInt32BE(0)) {
        socket.destroy();
        resolve(all.subarray(4, 4 + all.readInt32BE(0)));
      }
    });
  });
}
