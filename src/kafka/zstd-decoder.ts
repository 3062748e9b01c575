// zstd for record batches: libzstd's one-shot decoder (compiled to WebAssembly by
// @bokuweb/zstd-wasm, nothing native to build) writing into one output buffer reused from batch
// to batch.
//
// Kafka's Java producer writes streaming frames that do not say how many bytes they inflate to.
// A streaming decoder then keeps the whole window the frame announces (128 MiB at level 22) for
// every batch; a one-shot decode needs no window beyond its output, because a frame's matches
// never reach before the frame's own first byte. So the memory held is the largest inflated batch
// seen, whatever the level; an output buffer too small is doubled and the batch decoded again.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The largest window a frame may announce: zstd's default limit for decoders
 * (ZSTD_WINDOWLOG_LIMIT_DEFAULT, 2^27), which Kafka's Java consumer (zstd-jni) and librdkafka
 * apply; level 22, the highest a Kafka producer writes, announces exactly this.
 */
export const MAX_WINDOW_BYTES = 2 ** 27;
/** The most one batch may inflate to: past this it is refused rather than allocated. */
export const MAX_INFLATED_BYTES = 2 ** 30;
const FIRST_CAPACITY = 64 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
/** libzstd's error code for an output buffer too small (ZSTD_error_dstSize_tooSmall). */
const DST_SIZE_TOO_SMALL = 70;
/** What libzstd's other error codes (zstd_errors.h) mean, for messages. */
const ERRORS: Record<number, string> = {
  10: 'not a zstd frame',
  12: 'an unsupported zstd version',
  14: 'unsupported frame parameters',
  16: 'its window is too large',
  20: 'corrupt data',
  22: 'a wrong checksum',
  32: 'it needs a dictionary',
  72: 'truncated or trailing data',
};

interface ZstdModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _ZSTD_decompress(dst: number, dstCapacity: number, src: number, srcSize: number): number;
  _ZSTD_isError(code: number): number;
}

// The package's public decompress() allocates and frees its buffers on every call and reports
// every failure alike; the emscripten module it wraps exposes libzstd's calls and error codes.
// The package's exports map names only its entry, so the module beside the entry is required by
// path (the version is pinned in package.json).
const require = createRequire(import.meta.url);
const entry = require.resolve('@bokuweb/zstd-wasm');
const { init } = require(entry) as { init(): Promise<void> };
const { Module } = require(join(dirname(entry), 'module.js')) as { Module: ZstdModule };
// Top-level await: every importer (a processing thread, a test) gets a decoder ready to use,
// and decoding stays synchronous.
await init();

/** Buffers in the WebAssembly memory, kept across calls: the compressed input and the output. */
let input = { pointer: 0, capacity: 0 };
let output = { pointer: 0, capacity: 0 };

function reserve(buffer: { pointer: number; capacity: number }, size: number): { pointer: number; capacity: number } {
  if (buffer.capacity >= size) return buffer;
  let capacity = Math.max(buffer.capacity, FIRST_CAPACITY);
  while (capacity < size) capacity *= 2;
  if (buffer.pointer) Module._free(buffer.pointer);
  const pointer = Module._malloc(capacity);
  if (!pointer) throw new RangeError(`cannot allocate ${capacity} bytes for zstd`);
  return { pointer, capacity };
}

/**
 * The window the zstd frame at the start of `payload` announces (RFC 8878 3.1.1.1), or undefined
 * when it does not start with a zstd frame (libzstd then says what is wrong).
 */
export function announcedWindow(payload: Uint8Array): number | undefined {
  if (payload.length < 6) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (view.getUint32(0, true) !== ZSTD_MAGIC) return undefined;
  const descriptor = payload[4]!;
  const singleSegment = (descriptor >> 5) & 1;
  if (!singleSegment) {
    const exponent = payload[5]! >> 3;
    const base = 2 ** (10 + exponent);
    return base + (base / 8) * (payload[5]! & 7);
  }
  // A single segment: the window is the content size, which follows the descriptor (and the dictionary id).
  const sizeBytes = [1, 2, 4, 8][descriptor >> 6]!;
  const at = 5 + [0, 1, 2, 4][descriptor & 3]!;
  if (payload.length < at + sizeBytes) return undefined;
  if (sizeBytes === 1) return payload[at]!;
  if (sizeBytes === 2) return view.getUint16(at, true) + 256;
  if (sizeBytes === 4) return view.getUint32(at, true);
  return Number(view.getBigUint64(at, true));
}

const mib = (bytes: number) => `${Math.round((bytes / 2 ** 20) * 10) / 10} MiB`;

/** The bytes `payload` (one or more zstd frames) inflates to; throws when it does not, or would take more than the limits above. */
export function zstdDecompress(payload: Uint8Array): Uint8Array {
  const window = announcedWindow(payload);
  if (window !== undefined && window > MAX_WINDOW_BYTES) {
    throw new RangeError(`its frame announces a ${mib(window)} window, more than the ${mib(MAX_WINDOW_BYTES)} Kafka's consumers accept`);
  }
  input = reserve(input, payload.length);
  Module.HEAPU8.set(payload, input.pointer);
  for (;;) {
    const size = Module._ZSTD_decompress(output.pointer, output.capacity, input.pointer, payload.length);
    if (!Module._ZSTD_isError(size)) return Module.HEAPU8.slice(output.pointer, output.pointer + size);
    const code = -(size | 0);
    if (code !== DST_SIZE_TOO_SMALL) throw new Error(ERRORS[code] ?? `libzstd error ${code}`);
    if (output.capacity >= MAX_INFLATED_BYTES) throw new RangeError(`it inflates to more than ${mib(MAX_INFLATED_BYTES)}`);
    output = reserve(output, Math.max(output.capacity * 2, payload.length * 4));
  }
}
