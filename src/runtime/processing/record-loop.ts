import { isUtf8 } from 'node:buffer';
import type { CompiledJob, OutputValue } from '../../dsl/job-spec.js';
import type { BatchValue } from '../batch/column-accumulators.js';
import { deadLetterRow, deadLetterRowBuffer } from '../../dsl/dead-letters.js';
import type { PartitionBuffer } from './partition-buffer.js';
import { oversizeReason, type Decoded, type ReusableRecordMeta } from './record-decoder.js';
import { dtPartition, UNPARTITIONED } from '../../dsl/partition-values.js';
import { BadRecordError } from '../bad-record-error.js';

/**
 * One job's handling of a decoded record: filter, project into the partition's batch, or route
 * it as a bad record by the job's `on_bad_record`. The record is decoded once by the topic reader
 * and offered to every job reading that topic.
 */
export class RecordLoop {
  private readonly row: BatchValue[];
  private readonly deadLetter: OutputValue[] = deadLetterRowBuffer();
  private readonly partitioned: boolean;
  /** Where the projection puts raw_event (after the schema's columns), or -1 without one. */
  private readonly rawColumn: number;

  constructor(private readonly job: CompiledJob) {
    this.row = new Array(job.columns.length).fill(null);
    this.partitioned = job.spec.sink.partitionBy.includes('dt');
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
        buffer.addRow(this.partitioned ? dtPartition(meta.timestamp) : UNPARTITIONED, row);
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
}
