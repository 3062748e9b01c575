import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OwnedTable } from '../../parquet/owned-table.js';
import type { ParquetEncoder } from '../../parquet/parquet-encoder.js';
import type { CommitResult, CommittedOffset, CompactOptions, CompactionReport, DataFile, JobStore, TableBatch } from '../job-store.js';
import { TableCommitter, type Checkpoint, type StagedFile } from './commit-protocol.js';
import { readJsonIfExists } from '../storage/durable-fs.js';
import { dataFileName, tableLayout, type TableLayout } from './layout.js';
import { partitionPath } from '../partition-folders.js';
import type { ColumnType, PartitionField } from '../../dsl/job-spec.js';
import { settleFolderSchema } from './folder-schema.js';

/**
 * A job's tables as Hive-style folders of Parquet files on a local disk (`format: parquet`), kept
 * exactly once for any reader that lists `*.parquet` by the commit protocol in commit-protocol.ts.
 */
export class FolderJobStore implements JobStore {
  readonly format = 'parquet';
  readonly location: string;
  readonly layout: TableLayout;
  private readonly committer: TableCommitter;
  /** The schema check, once per store: the runners of a job's topics share the store and each opens it. */
  private schemaSettled: Promise<void> | undefined;

  constructor(
    sinkPath: string,
    private readonly encoder: ParquetEncoder,
    private readonly partitionBy: readonly PartitionField[] = [],
    /** The job's output columns, checked against the table's schema by open(); none, no check. */
    private readonly columns?: readonly { name: string; type: ColumnType }[],
  ) {
    this.layout = tableLayout(sinkPath);
    this.location = this.layout.table;
    this.committer = new TableCommitter(this.layout);
  }

  async open(): Promise<void> {
    await this.checkLayout();
    await this.committer.open();
    const columns = this.columns;
    if (columns) await (this.schemaSettled ??= settleFolderSchema(this.layout.schema, this.layout.table, columns));
  }

  /**
   * Refuses a table whose top folder was written with another partition_by: readers would meet
   * files at two depths, which hive partitioning cannot read as one table. Only the top level is
   * looked at, which is enough to tell every change of the first partition column.
   */
  private async checkLayout(): Promise<void> {
    const entries = await readdir(this.layout.table, { withFileTypes: true }).catch(() => []);
    const first = this.partitionBy[0]?.name;
    for (const e of entries) {
      const folder = e.isDirectory() && e.name.includes('=') ? e.name.slice(0, e.name.indexOf('=')) : undefined;
      const file = e.isFile() && e.name.endsWith('.parquet');
      if ((folder !== undefined && folder !== first) || (file && first !== undefined)) {
        const found = folder !== undefined ? `partition folders ${folder}=...` : 'data files outside partition folders';
        const wanted = this.partitionBy.length ? `[${this.partitionBy.map((f) => f.text).join(', ')}]` : 'empty';
        throw new TableLayoutError(`the table folder ${this.layout.table} holds ${found}, but the job's partition_by is ${wanted}; a table's partitioning cannot change: write to a new sink.path`);
      }
    }
  }

  async committedOffsets(topic: string): Promise<Map<number, CommittedOffset>> {
    // A pure read: an interrupted commit is left to open() (or a compaction) to settle, so until
    // then a checkpoint it would move reads as before it.
    const offsets = new Map<number, CommittedOffset>();
    for (const name of await readdir(this.layout.checkpoints).catch(() => [] as string[])) {
      if (!name.startsWith(`${topic}-`) || !name.endsWith('.json')) continue;
      const checkpoint = await readJsonIfExists<Checkpoint>(join(this.layout.checkpoints, name)).catch(() => undefined);
      if (checkpoint?.topic === topic) offsets.set(checkpoint.partition, { next: Number(checkpoint.next), committedAt: checkpoint.committedAt });
    }
    return offsets;
  }

  async commit(batch: TableBatch): Promise<CommitResult> {
    const fromText = String(batch.from);
    const staged: StagedFile[] = [];
    let bytes = 0;
    let seq = 0;
    const stage = async (rows: OwnedTable, dir: string, tableKey = this.layout.table) => {
      const data = await this.encoder.encode(rows, tableKey);
      bytes += data.byteLength;
      // Offsets start over when a topic is created again, and its batches may then start at an
      // offset an old batch started at: a name already taken is passed over, since the commit's
      // rename would replace the committed file. Only a commit that holds the partition's intent
      // renames into these names, and another one of the same range is fenced, so none is taken
      // between this check and the rename.
      let final: string;
      do final = join(dir, dataFileName(batch.topic, batch.partition, fromText, seq++));
      while (await exists(final));
      staged.push(await this.committer.stage(data, final));
    };
    for (const { partition, rows } of batch.groups) {
      if (rows.numRows > 0) await stage(rows, join(this.layout.table, partitionPath(partition)));
    }
    if (batch.rejected && batch.rejected.numRows > 0) await stage(batch.rejected, this.layout.rejected, this.layout.rejected);
    const outcome = await this.committer.commit({ topic: batch.topic, partition: batch.partition, from: fromText, next: String(batch.next), files: staged });
    if (outcome === 'fenced') {
      return { outcome, resumeAt: Number(await this.committer.checkpoint(batch.topic, batch.partition)) };
    }
    return { outcome, files: staged.map((f) => f.final), bytes };
  }

  files(which: 'output' | 'rejected'): Promise<DataFile[]> {
    return committedFiles(which === 'output' ? this.layout.table : this.layout.rejected);
  }

  async compact(options: CompactOptions): Promise<CompactionReport> {
    // Loaded when a compaction runs: it brings DuckDB, which a runner otherwise never needs.
    const { compactTable } = await import('./compaction/compact-table.js');
    return compactTable(this.layout, this.partitionBy, options);
  }
}

/** A table folder written with another partitioning than the job's. */
export class TableLayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableLayoutError';
  }
}

/** The committed data files of a table folder (`*.parquet`, outside the protocol's `_gamepipe/`). */
export async function committedFiles(dir: string): Promise<DataFile[]> {
  // A compaction swapping a partition between the listing and the stat makes listed names vanish;
  // the listing is then taken again, since it would otherwise miss the partition's files entirely.
  for (let attempt = 0; ; attempt++) {
    const files = await listCommittedFiles(dir);
    if (files !== 'vanished') return files;
    if (attempt === 10) throw new Error(`files under ${dir} keep vanishing while being listed`);
  }
}

async function listCommittedFiles(dir: string): Promise<DataFile[] | 'vanished'> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: DataFile[] = [];
  for (const name of names) {
    if (!name.endsWith('.parquet') || name.startsWith('_gamepipe')) continue;
    const url = join(dir, name);
    const info = await stat(url).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return 'vanished' as const;
      throw err;
    });
    if (info === 'vanished') return info;
    if (info.isFile()) files.push({ url, bytes: info.size });
  }
  return files;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
