// A seeded PRNG for the prefilter's generated tests: a failure names its seed and replays exactly.

/** mulberry32: small, fast, the same sequence on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

export const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
export const pick = <T>(rand: Rand, list: readonly T[]): T => list[int(rand, list.length)]!;
export const chance = (rand: Rand, p: number): boolean => rand() < p;

/** What JSON.parse makes of the bytes after the UTF-8 decode the runtime does. */
export function parsedShape(bytes: Uint8Array): 'object' | 'other' | 'invalid' {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch {
    return 'invalid';
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? 'object' : 'other';
}
