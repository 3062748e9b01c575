// A seeded PRNG for generated tests: a failure names its seed and replays exactly.

import { pick, prng } from '../../bench/workload/events.js';

/** mulberry32, the workload's generator: the same sequence on every platform. */
export { prng };
/** The workload's draw of one element of a list. */
export { pick };

export type Rand = () => number;

export const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
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
