import { sqlIdent, sqlString } from '../../sql-text.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ColumnType, PartitionField } from '../../dsl/job-spec.js';
import type { ParquetEncoder } from '../../parquet/parquet-encoder.js';
import { OwnedTable } from '../../parquet/owned-table.js';
import { compactionTakes, partitionPath } from '../partition-folders.js';
import type { CompactOptions, CompactionReport, CompactionResult } from '../job-store.js';
import type { Action, AddAction } from './actions.js';
import type { DeltaLog } from './delta-log.js';
import { fileStats, statsJson } from './stats.js';

/**
 * Compacts the partitions of a Delta table that compaction takes (partition-folders.ts), each on its own: a partition's live files are read, rewritten
 * as one file, and swapped in by one commit that removes the old files and adds the new one
 * (dataChange=false: no row changes). The commit re-checks, against the newest version, that every
 * file it removes is still live; if another compaction took one, this one gives up for that
 * partition. Files a live writer adds meanwhile are not touched, so no row is doubled or lost.
 */
export async function compactDeltaTable(
  log: DeltaLog,
  encoder: ParquetEncoder,
  columns: readonly { name: string; type: ColumnType }[],
  partitionBy: readonly PartitionField[],
  options: CompactOptions,
): Promise<CompactionReport> {
  if (partitionBy.length === 0) return { recovered: [], results: [] };
  const snapshot = await log.refresh();
  const now = options.now ?? Date.now();
  // By folder, which names the partition's values in partition_by order whatever order a log entry lists them in.
  const byPartition = new Map<string, AddAction[]>();
  for (const add of snapshot.files.values()) {
    const values = Object.fromEntries(partitionBy.map((f) => [f.name, add.partitionValues[f.name] ?? null]));
    if (!compactionTakes(values, partitionBy, now, options.includeToday)) continue;
    const folder = partitionPath(values);
    let adds = byPartition.get(folder);
    if (!adds) byPartition.set(folder, (adds = []));
    adds.push(add);
  }
  const results: CompactionResult[] = [];
  for (const partition of [...byPartition.keys()].sort()) {
    const sources = byPartition.get(partition)!;
    if (sources.length < options.minFiles) {
      results.push({ partition, outcome: 'skipped', reason: `${sources.length} file(s), fewer than ${options.minFiles}` });
      continue;
    }
    results.push(await compactPartition(log, encoder, columns, partition, sources));
  }
  return { recovered: [], results };
}

async function compactPartition(
  log: DeltaLog,
  encoder: ParquetEncoder,
  columns: readonly { name: string; type: ColumnType }[],
  partition: string,
  sources: AddAction[],
): Promise<CompactionResult> {
  const work = await mkdtemp(join(tmpdir(), 'gamepipe-compact-'));
  try {
    // DuckDB reads the files by name and unifies their columns (older files may lack added ones).
    const inputs: string[] = [];
    for (const [i, add] of sources.entries()) {
      const bytes = await log.store.get(decodeURIComponent(add.path));
      if (!bytes) return { partition, outcome: 'skipped', reason: `${add.path} vanished: another compaction ran; run again` };
      inputs.push(join(work, `${i}.parquet`));
      await writeFile(inputs.at(-1)!, bytes);
    }
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await conn.run(`SET TimeZone = 'UTC'`);
      const select = columns.map((c) => sqlIdent(c.name)).join(', ');
      const merged = join(work, 'merged.parquet');
      await conn.run(`COPY (SELECT ${select} FROM read_parquet([${inputs.map(sqlString).join(', ')}], union_by_name = true, hive_partitioning = false)) TO ${sqlString(merged)} (FORMAT parquet)`);
      // Re-encode through the job's writer, so a compacted file has the same types and encoding as a streamed one.
      const { readParquet } = await import('parquet-wasm');
      // Owned, the table goes on to the encoder as the same stream (not written again), taking its
      // memory along: its stats are read first.
      const table = OwnedTable.fromIpcStream(readParquet(await readFile(merged)).intoIPCStream());
      const stats = statsJson(fileStats(table.table, columns));
      const rows = table.numRows;
      const data = await encoder.encode(table);
      const key = `${partition}/part-compacted-${randomUUID()}.parquet`;
      await log.store.put(key, data);
      const now = Date.now();
      const add: AddAction = {
        path: encodeURI(key),
        partitionValues: sources[0]!.partitionValues,
        size: data.byteLength,
        modificationTime: now,
        dataChange: false,
        stats,
      };
      const { committed, result } = await log.commit<number>(async (current) => {
        if (!sources.every((s) => current.files.has(s.path))) return { abort: -1 };
        const same = (f: AddAction) => Object.entries(add.partitionValues).every(([k, v]) => (f.partitionValues[k] ?? null) === v);
        const late = [...current.files.values()].filter(same).length - sources.length;
        const actions: Action[] = sources.map((s) => ({
          remove: { path: s.path, deletionTimestamp: now, dataChange: false, extendedFileMetadata: true, partitionValues: s.partitionValues, size: s.size },
        }));
        actions.push({ add });
        return { actions, result: late };
      }, 'OPTIMIZE');
      if (!committed) {
        await log.store.delete(key);
        return { partition, outcome: 'skipped', reason: 'another compaction took some of its files first' };
      }
      const bytesBefore = sources.reduce((sum, s) => sum + s.size, 0);
      return { partition, outcome: 'compacted', filesBefore: sources.length, bytesBefore, bytesAfter: data.byteLength, rows, lateFiles: result };
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
