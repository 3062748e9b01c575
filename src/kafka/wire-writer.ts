/** Kafka's STRING: an int16 length, so at most 32767 bytes. */
const MAX_STRING_BYTES = 0x7fff;

/**
 * Writes one request frame (https://kafka.apache.org/protocol#protocol_types) into a buffer that
 * grows as needed: the int32 size prefix is filled in by `frame()`. Pure: no I/O.
 */
export class WireWriter {
  private buffer = Buffer.allocUnsafe(256);
  private at = 4; // the size prefix comes first

  /**
   * Reserves `bytes` and returns where they start. The buffer may be replaced: callers take the
   * position first and only then read `this.buffer`.
   */
  private room(bytes: number): number {
    if (this.at + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
      this.buffer.copy(grown, 0, 0, this.at);
      this.buffer = grown;
    }
    const at = this.at;
    this.at += bytes;
    return at;
  }

  int8(value: number): this {
    const at = this.room(1);
    this.buffer.writeInt8(value, at);
    return this;
  }

  int16(value: number): this {
    const at = this.room(2);
    this.buffer.writeInt16BE(value, at);
    return this;
  }

  int32(value: number): this {
    const at = this.room(4);
    this.buffer.writeInt32BE(value, at);
    return this;
  }

  /** An int64; BigInt() throws a RangeError for a fractional number, writeBigInt64BE for one out of range. */
  int64(value: number | bigint): this {
    const big = BigInt(value);
    const at = this.room(8);
    this.buffer.writeBigInt64BE(big, at);
    return this;
  }

  /** A UUID given as 32 hex digits. */
  uuid(hex: string): this {
    if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`'${hex}' is not a UUID of 32 hex digits`);
    const at = this.room(16);
    this.buffer.write(hex, at, 16, 'hex');
    return this;
  }

  unsignedVarint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`${value} is not an unsigned 32-bit varint`);
    let rest = value;
    while (rest >= 0x80) {
      const at = this.room(1);
      this.buffer[at] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    const at = this.room(1);
    this.buffer[at] = rest;
    return this;
  }

  /** A STRING (int16 length), or a NULLABLE_STRING's null. */
  string(what: string, text: string | null): this {
    if (text === null) return this.int16(-1);
    const bytes = stringBytes(what, text);
    this.int16(bytes.length);
    const at = this.room(bytes.length);
    bytes.copy(this.buffer, at);
    return this;
  }

  /** A COMPACT_STRING (unsigned varint length + 1), or a COMPACT_NULLABLE_STRING's null. */
  compactString(what: string, text: string | null): this {
    if (text === null) return this.unsignedVarint(0);
    const bytes = stringBytes(what, text);
    this.unsignedVarint(bytes.length + 1);
    const at = this.room(bytes.length);
    bytes.copy(this.buffer, at);
    return this;
  }

  /** COMPACT_BYTES (unsigned varint length + 1). */
  compactBytes(bytes: Buffer): this {
    this.unsignedVarint(bytes.length + 1);
    const at = this.room(bytes.length);
    bytes.copy(this.buffer, at);
    return this;
  }

  /** An ARRAY (int32 count), each item written by `write`. */
  array<T>(items: readonly T[], write: (item: T) => void): this {
    this.int32(items.length);
    for (const item of items) write(item);
    return this;
  }

  /** A COMPACT_ARRAY (unsigned varint count + 1), each item written by `write`. */
  compactArray<T>(items: readonly T[], write: (item: T) => void): this {
    this.unsignedVarint(items.length + 1);
    for (const item of items) write(item);
    return this;
  }

  /** An empty set of tagged fields: gamepipe sends none. */
  noTaggedFields(): this {
    return this.unsignedVarint(0);
  }

  /** The whole frame, its size prefix filled in. */
  frame(): Buffer {
    this.buffer.writeInt32BE(this.at - 4, 0);
    return this.buffer.subarray(0, this.at);
  }
}

function stringBytes(what: string, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_STRING_BYTES) throw new RangeError(`${what} is ${bytes.length} bytes long, more than a Kafka string holds (${MAX_STRING_BYTES})`);
  return bytes;
}

/**
 * Starts a request frame with its header: v1 (api key, api version, correlation id, client id)
 * for a non-flexible version, v2 (the same and no tagged fields) for a flexible one. The client id
 * stays an int16-length string in both.
 */
export function requestHeader(apiKey: number, apiVersion: number, correlationId: number, clientId: string, flexible: boolean): WireWriter {
  const writer = new WireWriter().int16(apiKey).int16(apiVersion).int32(correlationId).string('the client id', clientId);
  return flexible ? writer.noTaggedFields() : writer;
}
