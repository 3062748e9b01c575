import { randomUUID } from 'node:crypto';
import type { Table } from 'apache-arrow';
import type { ColumnType, PartitionField } from '../../dsl/job-spec.js';
import { UNPARTITIONED, type PartitionValues } from '../../dsl/partition-values.js';
import { partitionPath } from '../partition-folders.js';
import { tableOf, type EncoderRows } from '../../parquet/owned-table.js';
import type { ParquetEncoder } from '../../parquet/parquet-encoder.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { CommitResult, CommittedOffset, CompactOptions, CompactionReport, DataFile, JobStore, TableBatch } from '../job-store.js';
import type { Action, AddAction } from './actions.js';
import { compactDeltaTable } from './delta-compaction.js';
import { DeltaLog } from './delta-log.js';
import { removeOrphans, UPLOAD_VALID_MS } from './orphans.js';
import { deltaFields, evolveSchema, parseSchemaString, schemaString, type DeltaField } from './schema.js';
import { fileStats, statsJson } from './stats.js';
import type { DeltaSnapshot } from './snapshot.js';

/** What a Delta job store needs to know of its job. */
export interface DeltaJobConfig {
  job: string;
  columns: readonly { name: string; type: ColumnType }[];
  rejectedColumns: readonly { name: string; type: ColumnType }[];
  partitionBy: readonly PartitionField[];
}

/** One Delta table of the store: its log, its columns, and the schema the job wants. */
interface DeltaTarget {
  log: DeltaLog;
  columns: readonly { name: string; type: ColumnType }[];
  fields: DeltaField[];
  partitionBy: string[];
  name: string;
}

/** A file uploaded for a commit that has not landed yet: its action, and its key to delete if the commit does not happen. */
interface Upload {
  add: AddAction;
  key: string;
}

/** The Kafka app id of a topic-partition in a job's table (Delta `txn.appId`). */
export function appId(job: string, topic: string, partition: number): string {
  return `gamepipe:${job}:${topic}:${partition}`;
}

/**
 * The output table's second `txn` per partition: the log's epoch, which a batch that restarted the
 * partition's offsets (a topic created again: it reads offsets below the checkpoint it commits
 * from) moves up by one. Absent: epoch 0.
 */
function epochAppId(id: string): string {
  return `${id}:epoch`;
}

/**
 * The dead-letter table's second `txn` per partition: the log epoch of the attempt that set its
 * watermark (see DeltaJobStore.commitRejected).
 */
function basisAppId(id: string): string {
  return `${id}:basis`;
}

/** The partitions of `topic` in a table's app transactions, with their next offsets. */
function topicTxns(snapshot: DeltaSnapshot, job: string, topic: string): Map<number, CommittedOffset> {
  const prefix = `gamepipe:${job}:${topic}:`;
  const out = new Map<number, CommittedOffset>();
  for (const txn of snapshot.txns.values()) {
    if (!txn.appId.startsWith(prefix)) continue;
    const partition = Number(txn.appId.slice(prefix.length));
    if (!Number.isInteger(partition)) continue;
    out.set(partition, { next: txn.version, committedAt: txn.lastUpdated ? new Date(txn.lastUpdated).toISOString() : undefined });
  }
  return out;
}

/** The first row of dead letters (in offset order) at or after `offset`. */
function firstRowFrom(rejected: Table, offset: number): number {
  const offsets = rejected.getChild('offset')!;
  let row = 0;
  for (const value of offsets as Iterable<bigint | null>) {
    if (value !== null && Number(value) >= offset) return row;
    row++;
  }
  return row;
}

/**
 * A job's output and dead-letter tables in Delta Lake format, on any object store. Each Kafka
 * partition's next offset is a `txn` action in the output table, committed in the same log entry
 * as the batch's files (as kafka-delta-ingest does), so the table alone says where to resume.
 */
export class DeltaJobStore implements JobStore {
  readonly format = 'delta';
  readonly location: string;
  private readonly output: DeltaTarget;
  private readonly rejected: DeltaTarget;

  constructor(
    private readonly config: DeltaJobConfig,
    outputStore: ObjectStore,
    rejectedStore: ObjectStore,
    private readonly encoder: ParquetEncoder,
    checkpointEncoder: ParquetEncoder,
  ) {
    this.location = outputStore.root;
    this.output = {
      log: new DeltaLog(outputStore, checkpointEncoder),
      columns: config.columns,
      fields: deltaFields({ columns: config.columns, partitionBy: config.partitionBy }),
      partitionBy: config.partitionBy.map((p) => p.name),
      name: config.job,
    };
    this.rejected = {
      log: new DeltaLog(rejectedStore, checkpointEncoder),
      columns: config.rejectedColumns,
      fields: deltaFields({ columns: config.rejectedColumns, partitionBy: [] }),
      partitionBy: [],
      name: `${config.job}_rejected`,
    };
  }

  async open(): Promise<void> {
    for (const target of [this.output, this.rejected]) {
      const { log } = target;
      if (!(await log.exists())) await log.create(target.fields, target.partitionBy, target.name);
      const meta = log.snapshot.metaData!;
      if (meta.partitionColumns.join(',') !== target.partitionBy.join(',')) {
        throw new DeltaSchemaError(`the Delta table ${log.store.root} is partitioned by [${meta.partitionColumns.join(', ')}] but the job's partition_by is [${target.partitionBy.join(', ')}]`);
      }
      // Throws on a changed type now, at start; added columns are written with the next commit.
      evolveSchema(parseSchemaString(meta.schemaString), target.fields, log.store.root);
      await removeOrphans(log);
    }
  }

  async committedOffsets(topic: string): Promise<Map<number, CommittedOffset>> {
    return topicTxns(await this.output.log.refresh(), this.config.job, topic);
  }

  async commit(batch: TableBatch): Promise<CommitResult> {
    const id = appId(this.config.job, batch.topic, batch.partition);
    const moved = (snapshot: DeltaSnapshot) => {
      const txn = snapshot.txns.get(id);
      return txn !== undefined && txn.version !== batch.from ? txn.version : undefined;
    };
    // Another writer committed this range: give up before uploading anything.
    const snapshot = await this.output.log.refresh();
    const early = moved(snapshot);
    if (early !== undefined) return { outcome: 'fenced', resumeAt: early };
    const epochId = epochAppId(id);
    const currentEpoch = snapshot.txns.get(epochId)?.version ?? 0;
    // Dead letters are in offset order: a first one below `from` is a record of a restarted log.
    const restarted = batch.next < batch.from || (batch.rejected !== undefined && batch.rejected.numRows > 0 && firstRowFrom(batch.rejected.table, batch.from) > 0);
    const epoch = restarted ? currentEpoch + 1 : currentEpoch;

    let bytes = 0;
    const files: string[] = [];
    if (batch.rejected && batch.rejected.numRows > 0) {
      // Read, not taken: each attempt encodes the part of it the table lacks (a slice of its own).
      const written = await this.commitRejected(id, batch.rejected.table, batch.next, epoch);
      bytes += written.bytes;
      files.push(...written.files);
    }
    const uploadedAt = Date.now();
    const uploads: Upload[] = [];
    for (const { partition, rows } of batch.groups) {
      if (rows.numRows > 0) uploads.push(await this.upload(this.output, partition, rows, `${batch.topic}-${batch.partition}-${batch.from}`));
    }
    const { committed, result } = await this.output.log.commit<number | undefined>(async (snapshot) => {
      const resumeAt = moved(snapshot);
      if (resumeAt !== undefined) return { abort: resumeAt };
      // A writer stalled this long may have had its uploads taken for orphans: read the batch again.
      if (Date.now() - uploadedAt > UPLOAD_VALID_MS) return { abort: batch.from };
      const actions: Action[] = [...schemaUpdate(snapshot, this.output), ...uploads.map((u) => ({ add: u.add }))];
      actions.push({ txn: { appId: id, version: batch.next, lastUpdated: Date.now() } });
      if (epoch !== currentEpoch) actions.push({ txn: { appId: epochId, version: epoch, lastUpdated: Date.now() } });
      return { actions, result: undefined };
    });
    if (!committed) {
      await this.discard(this.output, uploads);
      return { outcome: 'fenced', resumeAt: result! };
    }
    for (const u of uploads) {
      bytes += u.add.size;
      files.push(this.output.log.store.url(u.key));
    }
    return { outcome: 'committed', files, bytes };
  }

  /**
   * Commits the dead letters before the batch itself. The dead-letter table keeps its own `txn` per
   * partition, the watermark: every dead letter below it, of the log epoch in its `basis` txn, is in
   * the table. Within one epoch, rows below the watermark are left out, so a batch read again (after
   * a crash between the two commits, or by another member racing for the range, whose batch may end
   * elsewhere) adds none twice. Across epochs offsets start over: a topic created again reads
   * offsets below a watermark the old topic left, so its dead letters are all new. A table written
   * before the epoch was kept has no basis txn: epoch 0, as its output table.
   */
  private async commitRejected(id: string, rejected: Table, next: number, epoch: number): Promise<{ files: string[]; bytes: number }> {
    const basisId = basisAppId(id);
    for (;;) {
      const txns = (await this.rejected.log.refresh()).txns;
      const watermark = txns.get(id)?.version ?? -1;
      const attempt = txns.get(basisId)?.version;
      const rows = rejected.slice((attempt ?? 0) === epoch ? firstRowFrom(rejected, watermark) : 0);
      if (rows.numRows === 0) return { files: [], bytes: 0 };
      const uploadedAt = Date.now();
      const upload = await this.upload(this.rejected, UNPARTITIONED, rows, id.replaceAll(':', '-'));
      const { committed } = await this.rejected.log.commit(async (snapshot) => {
        if ((snapshot.txns.get(id)?.version ?? -1) !== watermark || snapshot.txns.get(basisId)?.version !== attempt) return { abort: undefined };
        if (Date.now() - uploadedAt > UPLOAD_VALID_MS) return { abort: undefined };
        const lastUpdated = Date.now();
        return {
          actions: [
            ...schemaUpdate(snapshot, this.rejected),
            { add: upload.add },
            { txn: { appId: id, version: next, lastUpdated } },
            { txn: { appId: basisId, version: epoch, lastUpdated } },
          ],
          result: undefined,
        };
      });
      if (committed) return { files: [this.rejected.log.store.url(upload.key)], bytes: upload.add.size };
      await this.discard(this.rejected, [upload]);
    }
  }

  private async upload(target: DeltaTarget, partition: PartitionValues, rows: EncoderRows, tag: string): Promise<Upload> {
    // Before encoding, which takes an OwnedTable's memory.
    const stats = statsJson(fileStats(tableOf(rows), target.columns));
    const data = await this.encoder.encode(rows, target.log.store.root);
    const folder = partitionPath(partition);
    const key = `${folder ? `${folder}/` : ''}part-${tag}-${randomUUID()}.parquet`;
    await target.log.store.put(key, data);
    const partitionValues: Record<string, string | null> = { ...partition };
    return {
      key,
      add: {
        // A relative URI: the folder's Hive escapes (`%3A`) are escaped once more (`%253A`), as Spark writes them.
        path: encodeURI(key),
        partitionValues,
        size: data.byteLength,
        modificationTime: Date.now(),
        dataChange: true,
        stats,
      },
    };
  }

  private async discard(target: DeltaTarget, uploads: Upload[]): Promise<void> {
    for (const u of uploads) await target.log.store.delete(u.key);
  }

  async files(which: 'output' | 'rejected'): Promise<DataFile[]> {
    const { log } = which === 'output' ? this.output : this.rejected;
    const snapshot = await log.refresh();
    return [...snapshot.files.values()].map((add) => ({ url: log.store.url(decodeURIComponent(add.path)), bytes: add.size }));
  }

  async compact(options: CompactOptions): Promise<CompactionReport> {
    return compactDeltaTable(this.output.log, this.encoder, this.output.columns, this.config.partitionBy, options);
  }
}

/** The table's partitioning differs from the job's: a job cannot change it. */
export class DeltaSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeltaSchemaError';
  }
}

/** A metaData action adding the job's new columns, when the table lacks some. */
function schemaUpdate(snapshot: DeltaSnapshot, target: DeltaTarget): Action[] {
  const meta = snapshot.metaData!;
  const evolved = evolveSchema(parseSchemaString(meta.schemaString), target.fields, target.log.store.root);
  return evolved ? [{ metaData: { ...meta, schemaString: schemaString(evolved) } }] : [];
}
