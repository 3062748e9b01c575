import type { ResourceLimits } from 'node:worker_threads';

/**
 * Heap limits of the runtime's worker threads (processing, Parquet). Their garbage is nearly all
 * short-lived (decoded records, column appends), so a young generation of 8 MiB collects as
 * cheaply as V8's default, which grew it to several times that per thread: 1M events through
 * the three example jobs peaked at 264 MiB RSS instead of 280, with 5.60 s CPU instead of 5.91
 * (bench/hotpath-compare.ts, 4 interleaved runs; 16 MiB gave 280 MiB).
 */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };
