import { readdir } from 'node:fs/promises';
import type { TableLayout } from '../layout.js';
import { closedDays } from '../../partition-days.js';
import { recoverCompactions } from './compaction-marker.js';
import { compactPartition } from './compact-partition.js';
import type { CompactOptions, CompactionReport, CompactionResult } from '../../job-store.js';

/** Recovers interrupted compactions of the table, then compacts each chosen partition in turn. */
export async function compactTable(layout: TableLayout, options: CompactOptions): Promise<CompactionReport> {
  const recovered = await recoverCompactions(layout);
  const names = await readdir(layout.table).catch(() => [] as string[]);
  const results: CompactionResult[] = [];
  for (const partition of closedDays(names, options.now ?? Date.now(), options.includeToday)) {
    results.push(await compactPartition(layout, partition, options.minFiles));
  }
  return { recovered, results };
}
