import * as arrow from 'apache-arrow';
import { typeText } from '../../dsl/column-types.js';
import type { ColumnType, DecimalType, ListType, MapType, OutputValue, StructType } from '../../dsl/job-spec.js';
import { Validity } from './validity.js';

/**
 * A value for a batch column: an output value, or (string columns only) text already encoded as
 * valid UTF-8, copied in as it is: the raw event arrives as bytes, and encoding its string again
 * was the largest part of appending a row.
 */
export type BatchValue = OutputValue | Uint8Array;

/** One output column being filled row by row, ready to hand its buffers to Arrow without a copy. */
export interface ColumnAccumulator {
  readonly length: number;
  /** The Arrow type the column is written as. */
  readonly arrowType: arrow.DataType;
  /** Copies `value` in; throws when it is not of the column's type (a runtime bug, not bad input). */
  append(value: BatchValue): void;
  /** Drops the last appended value, to undo a row that failed half way. */
  dropLast(): void;
  /** Empties the column but keeps its buffers, whose memory is already paged in. */
  clear(): void;
  /** The column as Arrow data; it views this accumulator's memory, so append nothing afterwards. */
  toData(): arrow.Data;
}

const INITIAL_ROWS = 1024;
const TWO_POW_32 = 4294967296;

function describe(value: BatchValue): string {
  if (value instanceof Uint8Array) return `${value.length} bytes of UTF-8`;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
  return `${typeof value} ${shown}`;
}

/** Shared bookkeeping: row count, validity, the error for a value of the wrong type. */
abstract class BaseAccumulator implements ColumnAccumulator {
  protected readonly validity = new Validity();
  length = 0;

  constructor(
    protected readonly name: string,
    protected readonly type: ColumnType,
    readonly arrowType: arrow.DataType,
  ) {}

  abstract append(value: BatchValue): void;

  /** What Arrow's makeData takes besides validity (`data`, `valueOffsets`, `children`, `child`) for `n` rows. */
  protected abstract buffers(n: number): Record<string, unknown>;

  dropLast(): void {
    this.length--;
    this.validity.forget(this.length);
  }

  clear(): void {
    this.length = 0;
    this.validity.clear();
  }

  toData(): arrow.Data {
    const n = this.length;
    const props = {
      type: this.arrowType,
      length: n,
      nullCount: this.validity.nullCount,
      nullBitmap: this.validity.bitmap(n),
      ...this.buffers(n),
    };
    return arrow.makeData(props as Parameters<typeof arrow.makeData>[0]);
  }

  protected wrong(expected: string, value: BatchValue): TypeError {
    return new TypeError(`column "${this.name}" (${typeText(this.type)}): expected ${expected}, got ${describe(value)}`);
  }
}

/** `int` (Int32) and `date` (Date32, days since 1970-01-01). */
class Int32Accumulator extends BaseAccumulator {
  private values = new Int32Array(INITIAL_ROWS);

  append(value: BatchValue): void {
    const i = this.length;
    // A null takes a slot too: the data buffer must cover every row, valid or not.
    if (i === this.values.length) this.values = grow(this.values);
    if (value === null) {
      this.validity.setNull(i);
    } else if (typeof value === 'number' && (value | 0) === value) {
      this.values[i] = value;
      this.validity.setValid(i);
    } else {
      throw this.wrong('a 32-bit integer', value);
    }
    this.length = i + 1;
  }

  protected buffers(n: number) {
    return { data: this.values.subarray(0, n) };
  }
}

/** `double` (Float64). */
class Float64Accumulator extends BaseAccumulator {
  private values = new Float64Array(INITIAL_ROWS);

  append(value: BatchValue): void {
    const i = this.length;
    if (i === this.values.length) this.values = grow(this.values);
    if (value === null) {
      this.validity.setNull(i);
    } else if (typeof value === 'number') {
      this.values[i] = value;
      this.validity.setValid(i);
    } else {
      throw this.wrong('a number', value);
    }
    this.length = i + 1;
  }

  protected buffers(n: number) {
    return { data: this.values.subarray(0, n) };
  }
}

/**
 * `long` (Int64 from bigint) and `timestamp` (Int64 epoch milliseconds from a number).
 * Kept as pairs of 32-bit words so a timestamp never allocates a BigInt (little-endian, as
 * Arrow's own buffers are on every platform Node runs on).
 */
class Int64Accumulator extends BaseAccumulator {
  private words = new Int32Array(INITIAL_ROWS * 2);
  private longs = new BigInt64Array(this.words.buffer);

  append(value: BatchValue): void {
    const i = this.length;
    if (2 * i === this.words.length) {
      this.words = grow(this.words);
      this.longs = new BigInt64Array(this.words.buffer);
    }
    if (value === null) {
      this.validity.setNull(i);
    } else {
      if (this.type === 'long' ? typeof value === 'bigint' : typeof value === 'number' && Number.isFinite(value)) {
        this.store(i, value as number | bigint);
      } else {
        throw this.wrong(this.type === 'long' ? 'a bigint' : 'epoch milliseconds as a number', value);
      }
      this.validity.setValid(i);
    }
    this.length = i + 1;
  }

  private store(i: number, value: number | bigint): void {
    if (typeof value === 'bigint') {
      if (value !== BigInt.asIntN(64, value)) throw this.wrong('a 64-bit integer', value);
      this.longs[i] = value;
    } else {
      const ms = Math.floor(value);
      this.words[2 * i] = ms >>> 0;
      this.words[2 * i + 1] = Math.floor(ms / TWO_POW_32);
    }
  }

  protected buffers(n: number) {
    return { data: this.longs.subarray(0, n) };
  }
}

/** `boolean` (Bool, one bit per row). */
class BoolAccumulator extends BaseAccumulator {
  private bits = new Uint8Array(INITIAL_ROWS >> 3);

  append(value: BatchValue): void {
    const i = this.length;
    const byte = i >> 3;
    if (byte === this.bits.length) this.bits = grow(this.bits);
    if (value === null) {
      this.validity.setNull(i);
    } else if (typeof value === 'boolean') {
      if (value) this.bits[byte]! |= 1 << (i & 7);
      else this.bits[byte]! &= ~(1 << (i & 7));
      this.validity.setValid(i);
    } else {
      throw this.wrong('a boolean', value);
    }
    this.length = i + 1;
  }

  protected buffers(n: number) {
    return { data: this.bits.subarray(0, (n + 7) >> 3) };
  }
}

/** `string` and `json` (Utf8): encoded as they arrive, so the batch holds bytes, not JS strings. */
class Utf8Accumulator extends BaseAccumulator {
  private offsets = new Int32Array(INITIAL_ROWS + 1);
  private bytes = Buffer.allocUnsafe(INITIAL_ROWS * 32);
  private end = 0;

  append(value: BatchValue): void {
    const i = this.length;
    if (value === null) {
      this.validity.setNull(i);
    } else if (typeof value === 'string') {
      // UTF-8 never takes more than 3 bytes per UTF-16 unit, so this much room always suffices.
      if (this.end + value.length * 3 > this.bytes.length) this.growBytes(this.end + value.length * 3);
      this.end += value.length <= SHORT_ASCII ? writeShort(this.bytes, value, this.end) : this.bytes.write(value, this.end);
      this.validity.setValid(i);
    } else if (value instanceof Uint8Array) {
      if (this.end + value.length > this.bytes.length) this.growBytes(this.end + value.length);
      this.bytes.set(value, this.end);
      this.end += value.length;
      this.validity.setValid(i);
    } else {
      throw this.wrong('a string', value);
    }
    if (i + 1 === this.offsets.length) this.offsets = grow(this.offsets);
    this.offsets[i + 1] = this.end;
    this.length = i + 1;
  }

  dropLast(): void {
    super.dropLast();
    this.end = this.offsets[this.length]!;
  }

  clear(): void {
    super.clear();
    this.end = 0;
  }

  private growBytes(needed: number): void {
    // Arrow Utf8 offsets are 32-bit: one batch holds at most 2 GiB of text per column.
    if (needed > 0x7fffffff) {
      throw new RangeError(`column "${this.name}": over 2 GiB of text in one batch; roll files smaller`);
    }
    const next = Buffer.allocUnsafe(Math.min(Math.max(this.bytes.length * 2, needed), 0x7fffffff));
    this.bytes.copy(next, 0, 0, this.end);
    this.bytes = next;
  }

  protected buffers(n: number) {
    return { valueOffsets: this.offsets.subarray(0, n + 1), data: this.bytes.subarray(0, this.end) };
  }
}

// Most values are short ASCII (event types, ids, hosts): copying their char codes in a JS loop
// measured about twice as fast as Buffer#write, whose per-call overhead dominates so few bytes.
const SHORT_ASCII = 48;

/** Writes `value` at `at` as UTF-8 and returns its byte length: by hand when it is ASCII. */
function writeShort(bytes: Buffer, value: string, at: number): number {
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    // Anything else is left to Buffer#write, which overwrites the bytes copied so far.
    if (c >= 0x80) return bytes.write(value, at);
    bytes[at + i] = c;
  }
  return n;
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(array: T): T {
  const next = new (array.constructor as new (length: number) => T)(array.length * 2);
  next.set(array);
  return next;
}

/** The accumulator for a column of `type`. */
export function columnAccumulator(name: string, type: ColumnType): ColumnAccumulator {
  switch (type) {
    case 'string':
    case 'json':
      return new Utf8Accumulator(name, type, new arrow.Utf8());
    case 'int':
      return new Int32Accumulator(name, type, new arrow.Int32());
    case 'date':
      return new Int32Accumulator(name, type, new arrow.DateDay());
    case 'long':
      return new Int64Accumulator(name, type, new arrow.Int64());
    case 'timestamp':
      return new Int64Accumulator(name, type, new arrow.TimestampMillisecond('UTC'));
    case 'double':
      return new Float64Accumulator(name, type, new arrow.Float64());
    case 'boolean':
      return new BoolAccumulator(name, type, new arrow.Bool());
    default:
      return nestedAccumulator(name, type);
  }
}

function nestedAccumulator(name: string, type: DecimalType | StructType | ListType | MapType): ColumnAccumulator {
  switch (type.kind) {
    case 'decimal':
      return new DecimalAccumulator(name, type);
    case 'struct':
      return new StructAccumulator(name, type);
    case 'list':
      return new ListAccumulator(name, type, columnAccumulator(`${name}[]`, type.element), 'element', true);
    case 'map': {
      const entries = new StructAccumulator(`${name}{}`, { kind: 'struct', fields: [{ name: 'key', type: 'string' }, { name: 'value', type: type.value }] }, [false, true]);
      return new ListAccumulator(name, type, entries, 'entries', false);
    }
    default:
      throw new TypeError(`column "${name}": unknown column type '${JSON.stringify(type satisfies never)}'`);
  }
}

/**
 * `decimal(p,s)` (Decimal128) from the unscaled bigint: 16 bytes per row, two's complement,
 * little-endian as Arrow's buffers are.
 */
class DecimalAccumulator extends BaseAccumulator {
  private words = new Int32Array(INITIAL_ROWS * 4);
  private longs = new BigInt64Array(this.words.buffer);

  constructor(name: string, type: DecimalType) {
    super(name, type, new arrow.Decimal(type.scale, type.precision, 128));
  }

  append(value: BatchValue): void {
    const i = this.length;
    if (4 * i === this.words.length) {
      this.words = grow(this.words);
      this.longs = new BigInt64Array(this.words.buffer);
    }
    if (value === null) {
      this.validity.setNull(i);
    } else if (typeof value === 'bigint' && value === BigInt.asIntN(128, value)) {
      this.longs[2 * i] = BigInt.asIntN(64, value);
      this.longs[2 * i + 1] = value >> 64n;
      this.validity.setValid(i);
    } else {
      throw this.wrong('an unscaled decimal as a bigint', value);
    }
    this.length = i + 1;
  }

  protected buffers(n: number) {
    return { data: new Uint32Array(this.words.buffer, 0, n * 4) };
  }
}

/** A struct: one child column per field, each as long as the struct (a null struct's fields hold nulls). */
class StructAccumulator extends BaseAccumulator {
  private readonly children: ColumnAccumulator[];

  constructor(name: string, type: StructType, nullable?: boolean[]) {
    const children = type.fields.map((f) => columnAccumulator(`${name}.${f.name}`, f.type));
    super(name, type, new arrow.Struct(type.fields.map((f, i) => new arrow.Field(f.name, children[i]!.arrowType, nullable?.[i] ?? true))));
    this.children = children;
  }

  append(value: BatchValue): void {
    const i = this.length;
    const children = this.children;
    if (value !== null && (!Array.isArray(value) || value.length !== children.length)) throw this.wrong(`${children.length} field values`, value);
    let c = 0;
    try {
      for (; c < children.length; c++) children[c]!.append(value === null ? null : value[c]!);
    } catch (err) {
      for (let d = 0; d < c; d++) children[d]!.dropLast();
      throw err;
    }
    if (value === null) this.validity.setNull(i);
    else this.validity.setValid(i);
    this.length = i + 1;
  }

  dropLast(): void {
    super.dropLast();
    for (const child of this.children) child.dropLast();
  }

  clear(): void {
    super.clear();
    for (const child of this.children) child.clear();
  }

  protected buffers() {
    return { children: this.children.map((c) => c.toData()) };
  }
}

/** A list (its elements in one child column) or a map (a list of key/value structs, Arrow's Map layout). */
class ListAccumulator extends BaseAccumulator {
  private offsets = new Int32Array(INITIAL_ROWS + 1);

  constructor(
    name: string,
    type: ListType | MapType,
    private readonly child: ColumnAccumulator,
    childName: string,
    childNullable: boolean,
  ) {
    const field = new arrow.Field(childName, child.arrowType, childNullable);
    super(name, type, type.kind === 'map' ? new arrow.Map_(field as arrow.Field<arrow.Struct<{ key: arrow.Utf8; value: arrow.DataType }>>, false) : new arrow.List(field));
  }

  append(value: BatchValue): void {
    const i = this.length;
    if (value !== null && !Array.isArray(value)) throw this.wrong('an array', value);
    let appended = 0;
    if (value !== null) {
      try {
        for (; appended < value.length; appended++) this.child.append(value[appended]!);
      } catch (err) {
        for (let d = 0; d < appended; d++) this.child.dropLast();
        throw err;
      }
      this.validity.setValid(i);
    } else {
      this.validity.setNull(i);
    }
    if (i + 1 === this.offsets.length) this.offsets = grow(this.offsets);
    this.offsets[i + 1] = this.offsets[i]! + appended;
    this.length = i + 1;
  }

  dropLast(): void {
    const elements = this.offsets[this.length]! - this.offsets[this.length - 1]!;
    super.dropLast();
    for (let d = 0; d < elements; d++) this.child.dropLast();
  }

  clear(): void {
    super.clear();
    this.child.clear();
  }

  protected buffers(n: number) {
    return { valueOffsets: this.offsets.subarray(0, n + 1), child: this.child.toData() };
  }
}
