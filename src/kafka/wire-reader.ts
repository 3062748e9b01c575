/**
 * A Kafka response that is truncated, malformed or does not say what was asked. Responses are
 * framed by their size, so the connection stays usable: the caller retries with fresh metadata.
 */
export class KafkaProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaProtocolError';
  }
}

/**
 * A bounds-checked cursor over a response body (https://kafka.apache.org/protocol#protocol_types):
 * every read says what it was reading when the body ends early or holds garbage, as a
 * KafkaProtocolError whose message starts with `response` (e.g. 'Metadata response').
 */
export class WireReader {
  at = 0;

  constructor(
    private readonly body: Buffer,
    private readonly response: string,
  ) {}

  error(message: string): KafkaProtocolError {
    return new KafkaProtocolError(`${this.response} ${message}`);
  }

  private need(bytes: number, what: string): number {
    const at = this.at;
    if (bytes > this.body.length - at) {
      throw this.error(`is truncated: ${what} needs ${bytes} bytes at byte ${at} but the body has ${this.body.length - at} left`);
    }
    this.at = at + bytes;
    return at;
  }

  int8(what: string): number {
    return this.body.readInt8(this.need(1, what));
  }

  int16(what: string): number {
    return this.body.readInt16BE(this.need(2, what));
  }

  int32(what: string): number {
    return this.body.readInt32BE(this.need(4, what));
  }

  /** An int64 offset as a number: offsets (and -1 for none) stay far below 2^53. */
  offset(what: string): number {
    const at = this.need(8, what);
    const value = this.body.readInt32BE(at) * 0x1_0000_0000 + this.body.readUInt32BE(at + 4);
    if (!Number.isSafeInteger(value)) throw this.error(`has ${what} ${this.body.readBigInt64BE(at)}, beyond 2^53`);
    return value;
  }

  bigint64(what: string): bigint {
    return this.body.readBigInt64BE(this.need(8, what));
  }

  /** A UUID as 32 lowercase hex digits (all zeros for none). */
  uuid(what: string): string {
    const at = this.need(16, what);
    return this.body.toString('hex', at, at + 16);
  }

  /** An UNSIGNED_VARINT of at most 32 bits. */
  unsignedVarint(what: string): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.body[this.need(1, what)]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw this.error(`has a varint longer than 5 bytes for ${what}`);
  }

  /** A STRING (int16 length); a null one (-1) reads as null. */
  string(what: string): string | null {
    const length = this.int16(`the length of ${what}`);
    if (length < 0) {
      if (length === -1) return null;
      throw this.error(`has a negative length (${length}) for ${what}`);
    }
    const at = this.need(length, what);
    return this.body.toString('utf8', at, at + length);
  }

  /** A COMPACT_STRING or COMPACT_NULLABLE_STRING (unsigned varint length + 1); null reads as null. */
  compactString(what: string): string | null {
    const lengthPlusOne = this.unsignedVarint(`the length of ${what}`);
    if (lengthPlusOne === 0) return null;
    const at = this.need(lengthPlusOne - 1, what);
    return this.body.toString('utf8', at, at + lengthPlusOne - 1);
  }

  /** An ARRAY's count: -1 (null) reads as 0. */
  count(what: string, minItemBytes: number): number {
    const count = this.int32(`the count of ${what}`);
    if (count === -1) return 0;
    if (count < 0) throw this.error(`has a negative count (${count}) of ${what}`);
    return this.checkCount(count, what, minItemBytes);
  }

  /** A COMPACT_ARRAY's count (unsigned varint count + 1): null (0) reads as 0. */
  compactCount(what: string, minItemBytes: number): number {
    const countPlusOne = this.unsignedVarint(`the count of ${what}`);
    return countPlusOne === 0 ? 0 : this.checkCount(countPlusOne - 1, what, minItemBytes);
  }

  // Catches a garbage count before looping (and allocating) for it.
  private checkCount(count: number, what: string, minItemBytes: number): number {
    if (count * minItemBytes > this.body.length - this.at) {
      throw this.error(`is truncated: ${count} ${what} need at least ${count * minItemBytes} bytes at byte ${this.at} but the body has ${this.body.length - this.at} left`);
    }
    return count;
  }

  /** A RECORDS field (nullable BYTES): a view into the body; null reads as an empty view. */
  bytes(what: string): Buffer {
    const length = this.int32(`the size of ${what}`);
    if (length === -1) return this.body.subarray(this.at, this.at);
    if (length < 0) throw this.error(`has a negative size (${length}) for ${what}`);
    const at = this.need(length, what);
    return this.body.subarray(at, at + length);
  }

  /** A COMPACT_RECORDS field (unsigned varint size + 1): a view into the body; null reads as an empty view. */
  compactBytes(what: string): Buffer {
    const sizePlusOne = this.unsignedVarint(`the size of ${what}`);
    if (sizePlusOne === 0) return this.body.subarray(this.at, this.at);
    const at = this.need(sizePlusOne - 1, what);
    return this.body.subarray(at, at + sizePlusOne - 1);
  }

  /** Skips a flexible version's tagged fields: none of them is anything gamepipe reads. */
  skipTaggedFields(what: string): void {
    const count = this.unsignedVarint(`the tagged field count of ${what}`);
    for (let i = 0; i < count; i++) {
      this.unsignedVarint(`a tag of ${what}`);
      const size = this.unsignedVarint(`a tagged field's size in ${what}`);
      this.need(size, `a tagged field of ${what}`);
    }
  }

  get remaining(): number {
    return this.body.length - this.at;
  }

  /** Throws unless the whole body was read. */
  end(what: string): void {
    if (this.remaining !== 0) throw this.error(`has ${this.remaining} bytes after ${what}`);
  }
}
