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

/** Per-record fields read in the one pass over kafkajs' message objects, kept between calls. */
let scratch = { offsets: new Float64Array(0), timestamps: new Float64Array(0), places: new Float64Array(0) };

function scratchFor(count: number): typeof scratch {
  if (scratch.offsets.length < count) {
    const size = Math.max(count, 2 * scratch.offsets.length);
    scratch = { offsets: new Float64Array(size), timestamps: new Float64Array(size), places: new Float64Array(size * 4) };
  }
  return scratch;
}

/**
 * Packs the records at or after offset `from` (earlier ones were already taken by every job).
 * Keys and values sliced from one response (as kafkajs hands them) are copied in one piece with
 * what lies between them (record headers, a few bytes each): one copy instead of two per record.
 */
export function packRecords(
  records: readonly FetchedRecord[],
  from: number,
  allocate: (bytes: number) => ArrayBuffer = (bytes) => new ArrayBuffer(bytes),
): PackedRecords {
  let first = 0;
  while (first < records.length && Number(records[first]!.offset) < from) first++;
  const count = records.length - first;
  const { offsets, timestamps, places } = scratchFor(count);
  // One pass over the message objects: their fields, and whether their parts share one region.
  let shared: ArrayBufferLike | undefined;
  let oneRegion = true;
  let start = Infinity;
  let end = 0;
  let used = 0;
  for (let i = 0; i < count; i++) {
    const r = records[first + i]!;
    offsets[i] = Number(r.offset);
    timestamps[i] = Number(r.timestamp);
    for (let k = 0; k < 2; k++) {
      const part = k === 0 ? r.key : r.value;
      if (part === null) {
        places[i * 4 + k * 2] = 0;
        places[i * 4 + k * 2 + 1] = -1;
        continue;
      }
      places[i * 4 + k * 2] = part.byteOffset;
      places[i * 4 + k * 2 + 1] = part.length;
      used += part.length;
      if (shared === undefined) shared = part.buffer;
      else if (part.buffer !== shared) oneRegion = false;
      if (part.byteOffset < start) start = part.byteOffset;
      if (part.byteOffset + part.length > end) end = part.byteOffset + part.length;
    }
  }
  // Parts scattered over a large buffer are copied one by one rather than with all between them.
  const region = shared !== undefined && oneRegion && end - start <= 2 * used + 65536 ? shared : undefined;
  const bytes = region ? end - start : used;
  // May be larger than asked (a reused buffer): the data part simply ends with unused bytes.
  const buffer = allocate(HEADER_BYTES + count * PER_RECORD_FIXED + bytes);
  new Uint32Array(buffer, 0, 1)[0] = count;
  new Float64Array(buffer, HEADER_BYTES, count).set(offsets.subarray(0, count));
  new Float64Array(buffer, HEADER_BYTES + count * 8, count).set(timestamps.subarray(0, count));
  const packedPlaces = new Int32Array(buffer, HEADER_BYTES + count * 16, count * 4);
  const data = new Uint8Array(buffer, HEADER_BYTES + count * PER_RECORD_FIXED);
  if (region) {
    data.set(new Uint8Array(region, start, bytes));
    for (let j = 0; j < count * 4; j += 2) {
      packedPlaces[j] = places[j + 1]! < 0 ? 0 : places[j]! - start;
      packedPlaces[j + 1] = places[j + 1]!;
    }
  } else {
    let at = 0;
    for (let i = 0; i < count; i++) {
      const r = records[first + i]!;
      for (let k = 0; k < 2; k++) {
        const part = k === 0 ? r.key : r.value;
        packedPlaces[i * 4 + k * 2] = part === null ? 0 : at;
        packedPlaces[i * 4 + k * 2 + 1] = part === null ? -1 : part.length;
        if (part === null) continue;
        data.set(part, at);
        at += part.length;
      }
    }
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
