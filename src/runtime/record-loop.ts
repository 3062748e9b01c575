import type { CompiledJob, OutputValue } from '../dsl/job-spec.js';
import { deadLetterRow } from './dead-letters.js';
import type { PartitionBuffer } from './partition-buffer.js';
import { decodeRecord, ReusableRecordMeta } from './record-decoder.js';
import { dtFolder } from './sink/sink-layout.js';

/** A Kafka record as the loop needs it (kafkajs' message shape). */
export interface InputRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** Raised when a job with `on_bad_record: fail` meets a bad record. */
export class BadRecordError extends Error {
  constructor(
    readonly job: string,
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly reason: string,
  ) {
    super(`job ${job}: bad record at ${topic}/${partition}@${offset}: ${reason}`);
    this.name = 'BadRecordError';
  }
}

/**
 * Runs one job's filter and projection over records of one partition, adding rows and dead letters
 * to `buffer`. Records below `buffer.next` were already taken (a re-delivery after a seek or a
 * rebalance) and are passed over. Returns how many records it took.
 */
export class RecordLoop {
  private readonly meta = new ReusableRecordMeta();
  private readonly row: OutputValue[];
  private readonly deadLetter: OutputValue[] = new Array(6).fill(null);
  private readonly partitioned: boolean;

  constructor(private readonly job: CompiledJob) {
    this.row = new Array(job.columns.length).fill(null);
    this.partitioned = job.spec.sink.partitionBy.includes('dt');
    this.meta.topic = job.spec.source.topic;
  }

  /** Processes `records` (in offset order) into `buffer`; throws BadRecordError in `fail` mode. */
  take(buffer: PartitionBuffer, records: InputRecord[]): number {
    const { job, meta, row } = this;
    const { maxRecordBytes, onBadRecord } = job.spec;
    meta.partition = buffer.partition;
    let taken = 0;
    for (const record of records) {
      const offset = Number(record.offset);
      if (offset < buffer.next) continue;
      meta.offset = record.offset;
      meta.timestamp = Number(record.timestamp);
      meta.keyBytes = record.key;
      const decoded = decodeRecord(record.value, maxRecordBytes, meta);
      let bad: string | undefined;
      if ('bad' in decoded) {
        bad = decoded.bad;
      } else if (job.filter(decoded.event, meta)) {
        bad = job.project(decoded.event, meta, row);
        if (bad === undefined) buffer.addRow(this.partitioned ? dtFolder(meta.timestamp) : '', row);
      }
      if (bad !== undefined) {
        if (onBadRecord === 'fail') throw new BadRecordError(job.spec.job, meta.topic, buffer.partition, record.offset, bad);
        if (onBadRecord === 'skip') buffer.skippedRows++;
        else buffer.addRejected(deadLetterRow(this.deadLetter, bad, meta.raw, meta.topic, buffer.partition, record.offset, meta.timestamp));
      }
      buffer.bytes += record.value?.length ?? 0;
      buffer.readRecords++;
      buffer.next = offset + 1;
      taken++;
    }
    return taken;
  }
}
