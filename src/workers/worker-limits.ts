import type { ResourceLimits } from 'node:worker_threads';

/**
 * Heap limits of the runtime's worker threads (processing, Parquet). Their garbage is nearly all
 * short-lived (decoded records, column appends), so a small young generation collects as
 * cheaply as V8's default, which grows it to several times that per thread and so raises peak
 * memory for nothing (docs/decisions/worker-and-parquet-settings.md).
 */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };
