import { isUtf8 } from 'node:buffer';
import type { CompiledJob, OutputValue } from '../../dsl/job-spec.js';
import type { BatchValue } from '../batch/column-accumulators.js';
import { deadLetterRow, deadLetterRowBuffer } from '../../dsl/dead-letters.js';
import type { PartitionBuffer } from './partition-buffer.js';
import { oversizeReason, type Decoded, type ReusableRecordMeta } from './record-decoder.js';
import { MAX_BATCH_PARTITIONS, partitionKeyer, type PartitionValues } from '../../dsl/partition-values.js';
import { BadRecordError } from '../bad-record-error.js';
import { partitionFolderProblem } from '../../table/partition-folders.js';

/**
 * One job's handling of a decoded record: filter, project into the partition's batch, or route
 * it as a bad record by the job's `on_bad_record`. The record is decoded once by the topic reader
 * and offered to every job reading that topic.
 */
export class RecordLoop {
  private readonly row: BatchValue[];
  private readonly deadLetter: OutputValue[] = deadLetterRowBuffer();
  /** The table partition of an output row (UNPARTITIONED for every row of an unpartitioned table). */
  private readonly partitionOf: (row: readonly BatchValue[], recordTime: number) => PartitionValues;
  /** Where the projection puts raw_event (after the schema's columns), or -1 without one. */
  private readonly rawColumn: number;

  constructor(private readonly job: CompiledJob) {
    this.row = new Array(job.columns.length).fill(null);
    this.partitionOf = partitionKeyer(job.spec);
    this.rawColumn = job.spec.include.includes('raw_event') ? job.spec.schema.length : -1;
  }

  /** Whether this job must see the decoded event of a record of `bytes` bytes (or only its size). */
  acceptsSize(bytes: number): boolean {
    return bytes <= this.job.spec.maxRecordBytes;
  }

  /**
   * Takes the record at `offset` into `buffer`. `decoded` is undefined for a record over this
   * job's size bound. Throws BadRecordError in `fail` mode.
   */
  offer(buffer: PartitionBuffer, offset: number, bytes: number, decoded: Decoded | undefined, meta: ReusableRecordMeta): void {
    const { job, row } = this;
    let bad: string | undefined;
    let raw = meta.raw;
    if (decoded === undefined) {
      bad = oversizeReason(bytes, job.spec.maxRecordBytes);
      raw = raw.slice(0, job.spec.maxRecordBytes);
    } else if ('bad' in decoded) {
      bad = decoded.bad;
    } else if (job.filter(decoded.event, meta)) {
      bad = job.project(decoded.event, meta, row as OutputValue[]);
      if (bad === undefined) {
        // The record's own bytes are the UTF-8 of `raw` when they are valid UTF-8 (decoding
        // replaced nothing), so they are copied as they are instead of encoding `raw` again.
        const { rawColumn } = this;
        if (rawColumn >= 0 && meta.rawBytes !== null && isUtf8(meta.rawBytes)) row[rawColumn] = meta.rawBytes;
        const partition = this.partitionOf(row, meta.timestamp);
        if (!buffer.hasGroup(partition)) {
          if (buffer.groupCount >= MAX_BATCH_PARTITIONS) throw this.tooManyPartitions(buffer, meta);
          bad = partitionFolderProblem(partition);
        }
        if (bad === undefined) buffer.addRow(partition, row);
      }
    }
    if (bad !== undefined) {
      const { onBadRecord } = job.spec;
      if (onBadRecord === 'fail') throw new BadRecordError(job.spec.job, meta.topic, buffer.partition, meta.offset, bad);
      if (onBadRecord === 'skip') buffer.skippedRows++;
      else buffer.addRejected(deadLetterRow(this.deadLetter, bad, raw, meta.topic, buffer.partition, meta.offset, meta.timestamp));
    }
    buffer.countRead(offset, bytes);
  }

  /**
   * The stop of a job whose batch would write more than MAX_BATCH_PARTITIONS partitions: a
   * partitioning that fine makes tiny files no reader wants, and only its author can fix it. The
   * job stops as for a bad record in `fail` mode (whatever its on_bad_record), so nothing is lost:
   * what came before the record is committed and the job reads on from it once partition_by is fixed.
   */
  private tooManyPartitions(buffer: PartitionBuffer, meta: ReusableRecordMeta): BadRecordError {
    const { job } = this.job.spec;
    const by = this.job.spec.sink.partitionBy.map((f) => f.text).join(', ');
    const reason = `its batch would write more than ${MAX_BATCH_PARTITIONS} partitions`;
    const line =
      `job ${job}: a batch of ${meta.topic}/${buffer.partition} would write ${buffer.groupCount + 1} partitions, more than the ${MAX_BATCH_PARTITIONS} allowed; ` +
      `stopped at offset ${meta.offset} with nothing from it on written: partition_by [${by}] splits the data too finely`;
    return new BadRecordError(job, meta.topic, buffer.partition, meta.offset, reason, line);
  }
}
