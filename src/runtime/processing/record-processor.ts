import { tableToIPC } from 'apache-arrow';
import { compileCheckedJob } from '../../dsl/compile-checked-job.js';
import type { Expr } from '../../dsl/filter-ast.js';
import type { CompiledJob, JobSpec } from '../../dsl/job-spec.js';
import { BadRecordError } from '../bad-record-error.js';
import { PrefilterGate } from '../decisions/prefilter-gate.js';
import { recordPrefilter, type RecordSkipTest } from '../prefilter/record-prefilter.js';
import type { ColumnBatch } from '../batch/column-batch.js';
import { PartitionBuffer } from './partition-buffer.js';
import { decodeRecord, ReusableRecordMeta, type Decoded } from './record-decoder.js';
import { RecordLoop } from './record-loop.js';
import type { RecordSet } from '../../kafka/record-batches.js';
import type { BadRecordReport, OpenBatchReport, ProcessedReply, SealedReply } from './worker-protocol.js';

interface ProcessedJob {
  job: CompiledJob;
  loop: RecordLoop;
  /** Open batches by partition. */
  buffers: Map<number, PartitionBuffer>;
  /** Partitions stopped at a bad record (`on_bad_record: fail`): they take nothing more. */
  failed: Set<number>;
}

/**
 * The processing side of the pipeline, as one processing thread runs it: decodes each record once,
 * offers it to every job that reads its partition (filter, projection, column batches), and hands
 * sealed batches out as Arrow IPC. It owns the open batches; the main thread only learns their
 * sizes (to decide when to flush) and receives them sealed. No I/O: the thread wiring is apart.
 */
export class RecordProcessor {
  private readonly jobs = new Map<number, ProcessedJob>();
  private readonly meta = new ReusableRecordMeta();
  /** The record prefilter of each set of jobs records are offered to (by their ids), with its gate. */
  private readonly prefilters = new Map<string, { test: RecordSkipTest; gate: PrefilterGate } | undefined>();

  /** Takes a job compiled elsewhere, by its spec and its checked `where` tree. */
  addJob(id: number, spec: JobSpec, filterTree: Expr | undefined): void {
    const job = compileCheckedJob(spec, filterTree);
    this.jobs.set(id, { job, loop: new RecordLoop(job), buffers: new Map(), failed: new Set() });
    this.prefilters.clear();
  }

  removeJob(id: number): void {
    this.jobs.delete(id);
    this.prefilters.clear();
  }

  /** Starts the job's open batch of `partition` at checkpoint `from`, taking records from `next` on, dropping any open one. */
  open(id: number, partition: number, from: number, next = from): void {
    const job = this.job(id);
    job.failed.delete(partition);
    let buffer = job.buffers.get(partition);
    if (buffer) buffer.restartAt(from);
    else job.buffers.set(partition, (buffer = new PartitionBuffer(partition, from, job.job.columns)));
    if (next !== from) buffer.jumpTo(next);
  }

  /** The job's open batch of `partition` takes records from `next` on, keeping what it holds. */
  jump(id: number, partition: number, next: number): void {
    this.job(id).buffers.get(partition)?.jumpTo(next);
  }

  close(id: number, partition: number): void {
    const job = this.jobs.get(id);
    job?.buffers.delete(partition);
    job?.failed.delete(partition);
  }

  /** Offers each record to each listed job whose open batch has not taken it yet. */
  process(id: number, topic: string, partition: number, jobIds: readonly number[], records: RecordSet): Omit<ProcessedReply, 'recordBatches'> {
    const takers: { job: ProcessedJob; buffer: PartitionBuffer }[] = [];
    for (const jobId of jobIds) {
      const job = this.job(jobId);
      if (job.failed.has(partition)) continue;
      const buffer = job.buffers.get(partition);
      // The main thread lists only jobs holding the partition, opened before: anything else would drop records.
      if (!buffer) throw new Error(`records of partition ${partition} for job ${job.job.spec.job}, which has no open batch of it`);
      takers.push({ job, buffer });
    }
    const failures: BadRecordReport[] = [];
    const prefilter = this.prefilterOf(jobIds);
    const meta = this.meta;
    meta.topic = topic;
    meta.partition = partition;
    let r = 0;
    meta.keyOf = () => records.key(r);
    for (; r < records.count; r++) {
      const offset = records.offsets[r]!;
      const bytes = records.valueLength(r);
      meta.offsetNumber = offset;
      meta.timestamp = records.timestamps[r]!;
      let value: Buffer | null | undefined;
      let decoded: Decoded | undefined;
      if (prefilter !== undefined && prefilter.gate.shouldTest()) {
        const skip = prefilter.test((value = records.value(r)));
        prefilter.gate.record(skip);
        if (skip) {
          // No job can keep it and it is no bad record: read, and dropped by every filter.
          for (const { buffer } of takers) if (offset >= buffer.next) buffer.countRead(offset, bytes);
          continue;
        }
      }
      for (let t = 0; t < takers.length; t++) {
        const { job, buffer } = takers[t]!;
        // Below `next` was already taken: a re-delivery after a seek for another job.
        if (offset < buffer.next) continue;
        try {
          if (job.loop.acceptsSize(bytes)) {
            decoded ??= decodeRecord((value ??= records.value(r)), meta);
            job.loop.offer(buffer, offset, bytes, decoded, meta);
          } else {
            if (decoded === undefined) meta.raw = (value ??= records.value(r))!.toString('utf8', 0, Math.min(bytes, job.job.spec.maxRecordBytes));
            job.loop.offer(buffer, offset, bytes, undefined, meta);
          }
        } catch (err) {
          if (!(err instanceof BadRecordError)) throw err;
          failures.push({ job: jobIds[t]!, partition, offset, reason: err.reason, ...(err.line !== undefined && { line: err.line }) });
          job.failed.add(partition);
          takers.splice(t--, 1);
        }
      }
    }
    meta.keyOf = undefined;
    const batches: OpenBatchReport[] = [];
    for (const jobId of jobIds) {
      const buffer = this.jobs.get(jobId)?.buffers.get(partition);
      if (buffer) {
        batches.push({ job: jobId, partition, from: buffer.from, rows: buffer.rows, rejectedRows: buffer.rejectedRows, bytes: buffer.bytes });
      }
    }
    return { type: 'processed', id, batches, failures };
  }

  /** The prefilter of the jobs listed (built once per set of jobs), or undefined when their predicates give none. */
  private prefilterOf(jobIds: readonly number[]): { test: RecordSkipTest; gate: PrefilterGate } | undefined {
    const key = jobIds.join(',');
    if (!this.prefilters.has(key)) {
      const test = recordPrefilter(jobIds.map((id) => this.job(id).job));
      this.prefilters.set(key, test && { test, gate: new PrefilterGate() });
    }
    return this.prefilters.get(key);
  }

  /** Takes the job's open batch of `partition` out as Arrow IPC; the buffer goes on at its `next`. */
  seal(id: number, jobId: number, partition: number): SealedReply {
    const job = this.job(jobId);
    const buffer = job.buffers.get(partition);
    if (!buffer) throw new Error(`no open batch of partition ${partition} for job ${job.job.spec.job}`);
    const sealed = buffer.seal();
    try {
      return {
        type: 'sealed',
        id,
        partition,
        from: sealed.from,
        next: sealed.next,
        groups: [...sealed.groups].map(([partition, batch]) => [partition, ipcOf(batch)]),
        rejected: sealed.rejected && sealed.rejected.rowCount > 0 ? ipcOf(sealed.rejected) : undefined,
        rows: sealed.rows,
        rejectedRows: sealed.rejectedRows,
        skippedRows: sealed.skippedRows,
        readRecords: sealed.readRecords,
      };
    } finally {
      // The IPC streams are copies, so the column buffers are free for the next batch at once.
      buffer.recycle(sealed);
    }
  }

  private job(id: number): ProcessedJob {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`processing thread: no job ${id}`);
    return job;
  }
}

/** The batch as an Arrow IPC stream in a buffer of its own, so it can be transferred, not copied. */
function ipcOf(batch: ColumnBatch): Uint8Array {
  const ipc = tableToIPC(batch.toArrowTable(), 'stream');
  return ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength ? ipc : ipc.slice();
}
