import { readdir } from 'node:fs/promises';
import type { TableLayout } from '../layout.js';
import { dtFolder } from '../layout.js';
import { recoverCompactions } from './compaction-marker.js';
import { compactPartition, type CompactionResult } from './compact-partition.js';

/** Which partitions a compaction run looks at. */
export interface CompactOptions {
  /** Also the current UTC day's partition, which is still being written. */
  includeToday: boolean;
  /** Partitions with fewer live files are left alone. */
  minFiles: number;
  now?: number;
}

/** The `dt=` folder names among `names` that are before the UTC day of `now` (closed), oldest first. */
export function closedPartitions(names: string[], now: number, includeToday = false): string[] {
  const today = dtFolder(now);
  return names.filter((n) => /^dt=\d{4}-\d{2}-\d{2}$/.test(n) && (includeToday ? n <= today : n < today)).sort();
}

/** Recovers interrupted compactions of the table, then compacts each chosen partition in turn. */
export async function compactTable(layout: TableLayout, options: CompactOptions): Promise<{ recovered: string[]; results: CompactionResult[] }> {
  const recovered = await recoverCompactions(layout);
  const names = await readdir(layout.table).catch(() => [] as string[]);
  const results: CompactionResult[] = [];
  for (const partition of closedPartitions(names, options.now ?? Date.now(), options.includeToday)) {
    results.push(await compactPartition(layout, partition, options.minFiles));
  }
  return { recovered, results };
}
