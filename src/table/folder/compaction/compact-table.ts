import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartitionField } from '../../../dsl/job-spec.js';
import type { TableLayout } from '../layout.js';
import { compactionTakes, parsePartitionPath } from '../../partition-folders.js';
import { recoverCompactions } from './compaction-marker.js';
import { compactPartition } from './compact-partition.js';
import type { CompactOptions, CompactionReport, CompactionResult } from '../../job-store.js';

/** The partition folders of the table (paths relative to it, one `name=value` level per partition column), sorted. */
async function partitionFolders(table: string, fields: readonly PartitionField[]): Promise<string[]> {
  let paths = [''];
  for (const field of fields) {
    const next: string[] = [];
    for (const path of paths) {
      const entries = await readdir(join(table, path), { withFileTypes: true }).catch(() => []);
      for (const e of entries) if (e.isDirectory() && e.name.startsWith(`${field.name}=`)) next.push(path ? `${path}/${e.name}` : e.name);
    }
    paths = next;
  }
  return fields.length ? paths.sort() : [];
}

/** Recovers interrupted compactions of the table, then compacts each partition compaction takes, one at a time. */
export async function compactTable(layout: TableLayout, fields: readonly PartitionField[], options: CompactOptions): Promise<CompactionReport> {
  const recovered = await recoverCompactions(layout);
  const now = options.now ?? Date.now();
  const results: CompactionResult[] = [];
  for (const partition of await partitionFolders(layout.table, fields)) {
    const values = parsePartitionPath(partition, fields);
    if (values === undefined || !compactionTakes(values, fields, now, options.includeToday)) continue;
    results.push(await compactPartition(layout, partition, options.minFiles));
  }
  return { recovered, results };
}
