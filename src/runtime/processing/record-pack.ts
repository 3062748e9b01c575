/** A Kafka record as the reader hands it over: kafkajs' message fields the pipeline reads. */
export interface FetchedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Records of one partition packed into a single ArrayBuffer, so a fetch batch crosses to a
 * processing thread as one transfer instead of a structured clone of thousands of objects.
 * Layout: count, then per record its offset and timestamp (float64: offsets stay below 2^53),
 * where its key and value start in the data part and their lengths (int32, -1 for null), then the
 * data part.
 */
export interface PackedRecords {
  buffer: ArrayBuffer;
  count: number;
}

const HEADER_BYTES = 8;
const PER_RECORD_FIXED = 8 + 8 + 4 * 4;

/** Where the records' bytes lie in one memory region, when they do: kafkajs slices them from one fetch response. */
function sharedRegion(records: readonly FetchedRecord[], first: number): { buffer: ArrayBufferLike; start: number; end: number } | undefined {
  let buffer: ArrayBufferLike | undefined;
  let start = Infinity;
  let end = 0;
  let used = 0;
  for (let i = 2 * first; i < 2 * records.length; i++) {
    const record = records[i >> 1]!;
    const part = (i & 1) === 0 ? record.key : record.value;
    if (part === null) continue;
    if (buffer === undefined) buffer = part.buffer;
    else if (part.buffer !== buffer) return undefined;
    if (part.byteOffset < start) start = part.byteOffset;
    if (part.byteOffset + part.length > end) end = part.byteOffset + part.length;
    used += part.length;
  }
  // Parts scattered over a large buffer are copied one by one rather than with all between them.
  if (buffer === undefined || end - start > 2 * used + 65536) return undefined;
  return { buffer, start, end };
}

/**
 * Packs the records at or after offset `from` (earlier ones were already taken by every job).
 * Keys and values sliced from one response are copied in one piece with what lies between them
 * (record headers, a few bytes each): one copy instead of two per record.
 */
export function packRecords(
  records: readonly FetchedRecord[],
  from: number,
  allocate: (bytes: number) => ArrayBuffer = (bytes) => new ArrayBuffer(bytes),
): PackedRecords {
  let first = 0;
  while (first < records.length && Number(records[first]!.offset) < from) first++;
  const count = records.length - first;
  const region = sharedRegion(records, first);
  let bytes = 0;
  if (region) bytes = region.end - region.start;
  else for (let i = first; i < records.length; i++) bytes += (records[i]!.key?.length ?? 0) + (records[i]!.value?.length ?? 0);
  // May be larger than asked (a reused buffer): the data part simply ends with unused bytes.
  const buffer = allocate(HEADER_BYTES + count * PER_RECORD_FIXED + bytes);
  new Uint32Array(buffer, 0, 1)[0] = count;
  const offsets = new Float64Array(buffer, HEADER_BYTES, count);
  const timestamps = new Float64Array(buffer, HEADER_BYTES + count * 8, count);
  const places = new Int32Array(buffer, HEADER_BYTES + count * 16, count * 4);
  const data = new Uint8Array(buffer, HEADER_BYTES + count * PER_RECORD_FIXED);
  if (region) data.set(new Uint8Array(region.buffer, region.start, bytes));
  let at = 0;
  /** Where `part` is in `data` (copying it there unless the region was copied whole). */
  const place = (part: Buffer): number => {
    if (region) return part.byteOffset - region.start;
    data.set(part, at);
    at += part.length;
    return at - part.length;
  };
  for (let i = 0; i < count; i++) {
    const r = records[first + i]!;
    offsets[i] = Number(r.offset);
    timestamps[i] = Number(r.timestamp);
    places[i * 4] = r.key === null ? 0 : place(r.key);
    places[i * 4 + 1] = r.key === null ? -1 : r.key.length;
    places[i * 4 + 2] = r.value === null ? 0 : place(r.value);
    places[i * 4 + 3] = r.value === null ? -1 : r.value.length;
  }
  return { buffer, count };
}

/** Read access to packed records; `key`/`value` return views into the packed bytes (no copy). */
export class UnpackedRecords {
  readonly count: number;
  readonly offsets: Float64Array;
  readonly timestamps: Float64Array;
  /** Per record: key start, key length, value start, value length (lengths -1 for null). */
  private readonly places: Int32Array;
  private readonly data: Buffer;

  constructor(buffer: ArrayBuffer) {
    const count = new Uint32Array(buffer, 0, 1)[0]!;
    this.count = count;
    this.offsets = new Float64Array(buffer, HEADER_BYTES, count);
    this.timestamps = new Float64Array(buffer, HEADER_BYTES + count * 8, count);
    this.places = new Int32Array(buffer, HEADER_BYTES + count * 16, count * 4);
    const dataStart = HEADER_BYTES + count * PER_RECORD_FIXED;
    this.data = Buffer.from(buffer, dataStart, buffer.byteLength - dataStart);
  }

  /** The value's length in bytes (0 for a null value). */
  valueLength(i: number): number {
    return Math.max(this.places[i * 4 + 3]!, 0);
  }

  value(i: number): Buffer | null {
    return this.part(this.places[i * 4 + 2]!, this.places[i * 4 + 3]!);
  }

  key(i: number): Buffer | null {
    return this.part(this.places[i * 4]!, this.places[i * 4 + 1]!);
  }

  private part(start: number, length: number): Buffer | null {
    return length < 0 ? null : this.data.subarray(start, start + length);
  }
}
