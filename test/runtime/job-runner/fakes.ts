import { afterEach, beforeEach, vi } from 'vitest';
import type { CompiledJob } from '../../../src/dsl/job-spec.js';
import type { GroupMember, GroupMemberEvents } from '../../../src/runtime/job-runner/group-member.js';
import type { JobProcessing } from '../../../src/runtime/job-runner/job-runner.js';
import type { ReaderLink, Watermarks } from '../../../src/runtime/job-runner/reader-link.js';
import type { Logger } from '../../../src/logger.js';
import type { ProcessedReply, SealedReply } from '../../../src/runtime/processing/worker-protocol.js';
import type { CommitResult, CommittedOffset, JobStore, TableBatch } from '../../../src/table/job-store.js';

// Fakes at the edges of the job runner and the topic reader: no Kafka, no tables, no threads.

/** A job as the runner reads it (its processing is faked, so nothing is compiled). */
export function fakeJob(name: string, sink: { triggerMs?: number; maxRows?: number; maxBytes?: number; start?: 'earliest' | 'latest' } = {}): CompiledJob {
  return {
    spec: {
      job: name,
      file: `${name}.job.yaml`,
      source: { topic: 'events', start: sink.start ?? 'earliest' },
      triggerMs: sink.triggerMs ?? 10_000,
      sink: { maxRows: sink.maxRows ?? 1_000_000, maxBytes: sink.maxBytes ?? 1 << 30 },
    },
  } as unknown as CompiledJob;
}

/** An in-memory table: a checkpoint per partition, moved by compare-and-set as the real stores do. */
export class FakeStore {
  readonly checkpoints = new Map<number, number>();
  readonly commits: Array<{ partition: number; from: number; next: number }> = [];
  opened = 0;
  /** Every commit from now on fails with it. */
  failWith: Error | undefined;
  private gate: Promise<void> | undefined;
  private openGate!: () => void;

  /** Commits wait from now on until `release` is called. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.gate = undefined;
    this.openGate();
  }

  async open(): Promise<void> {
    this.opened++;
  }

  async committedOffsets(): Promise<Map<number, CommittedOffset>> {
    return new Map([...this.checkpoints].map(([partition, next]) => [partition, { next, committedAt: undefined }]));
  }

  async commit(batch: TableBatch): Promise<CommitResult> {
    await this.gate;
    if (this.failWith) throw this.failWith;
    const at = this.checkpoints.get(batch.partition);
    if (at !== undefined && at !== batch.from) return { outcome: 'fenced', resumeAt: at };
    this.checkpoints.set(batch.partition, batch.next);
    this.commits.push({ partition: batch.partition, from: batch.from, next: batch.next });
    return { outcome: 'committed', files: [], bytes: 0 };
  }

  get asJobStore(): JobStore {
    return this as unknown as JobStore;
  }
}

/** A group membership the test assigns partitions through. */
export class FakeMember implements GroupMember {
  private events: GroupMemberEvents | undefined;
  readonly offsets: Array<[number, number]> = [];
  left = false;
  /** Set to make `join` fail with it (the group could not be joined). */
  joinFails: Error | undefined;

  async join(events: GroupMemberEvents): Promise<void> {
    if (this.joinFails) throw this.joinFails;
    this.events = events;
  }

  commitOffset(partition: number, next: number): void {
    this.offsets.push([partition, next]);
  }

  async leave(): Promise<void> {
    this.left = true;
  }

  assign(partitions: number[]): void {
    this.events!.assigned(partitions);
  }

  crash(error: Error): void {
    this.events!.crashed(error);
  }
}

/** Where a job wants each partition read from, and the watermarks it is told. */
export class FakeLink implements ReaderLink {
  readonly wants = new Map<number, number | undefined>();
  marks = new Map<number, Watermarks>();

  readFrom(partition: number, offset: number | undefined): void {
    this.wants.set(partition, offset);
  }

  async watermarks(): Promise<Map<number, Watermarks>> {
    return this.marks;
  }
}

/**
 * Processing threads reduced to the offsets of each job's open batch per partition. The records a
 * fake delivery holds are only their end offset, written as text.
 */
export class FakeProcessing implements JobProcessing {
  private nextJob = 1;
  readonly batches = new Map<string, { from: number; next: number }>();
  /** Every message in the order a thread would get it. */
  readonly messages: string[] = [];
  /** What each `process` call answers; by default nothing to report. */
  reply: (jobs: number[], partition: number) => Pick<ProcessedReply, 'batches' | 'failures'> = () => ({ batches: [], failures: [] });
  /** Set to make `whenRoom` hold deliveries. */
  room: Promise<void> | undefined;

  addJob(): number {
    return this.nextJob++;
  }

  removeJob(job: number): void {
    this.messages.push(`remove ${job}`);
  }

  open(job: number, _topic: string, partition: number, from: number, next = from): void {
    this.batches.set(`${job}/${partition}`, { from, next });
    this.messages.push(`open ${job}/${partition} ${from} ${next}`);
  }

  jump(job: number, _topic: string, partition: number, next: number): void {
    this.batch(job, partition).next = next;
    this.messages.push(`jump ${job}/${partition} ${next}`);
  }

  close(job: number, _topic: string, partition: number): void {
    this.batches.delete(`${job}/${partition}`);
    this.messages.push(`close ${job}/${partition}`);
  }

  /** The job's batch of `partition` now holds the records below `next` (they were handed over). */
  took(job: number, partition: number, next: number): void {
    this.batch(job, partition).next = next;
  }

  seal(job: number, _topic: string, partition: number): Promise<SealedReply> {
    const batch = this.batch(job, partition);
    const { from, next } = batch;
    batch.from = next;
    this.messages.push(`seal ${job}/${partition} ${from}-${next}`);
    const count = next - from;
    return Promise.resolve({ type: 'sealed', id: 0, partition, from, next, groups: [], rejected: undefined, rows: count, rejectedRows: 0, skippedRows: 0, readRecords: count });
  }

  process(_topic: string, partition: number, jobs: number[], records: Uint8Array, from: number, _aborted: unknown[]): Promise<ProcessedReply> {
    const next = Number(Buffer.from(records).toString());
    this.messages.push(`records ${partition} ${from}-${next} for ${jobs.join(',')}`);
    for (const job of jobs) if (this.batches.has(`${job}/${partition}`)) this.took(job, partition, next);
    return Promise.resolve({ type: 'processed', id: 0, recordBatches: new ArrayBuffer(0), ...this.reply(jobs, partition) });
  }

  whenRoom(): Promise<void> | undefined {
    return this.room;
  }

  private batch(job: number, partition: number): { from: number; next: number } {
    const batch = this.batches.get(`${job}/${partition}`);
    if (!batch) throw new Error(`job ${job} holds no batch of partition ${partition}`);
    return batch;
  }
}

/** A logger that keeps its lines. */
export function fakeLog(): { log: Logger; lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> } {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, fields, msg });
  const log = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger;
  return { log, lines };
}

/** Lets every promise and I/O callback queued so far run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Each test of the file runs on vitest's clock: the runners' ticks and triggers move only with `after`. */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** Moves the clock on by `ms`, running the ticks and whatever they started. */
export async function after(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await flush();
  await flush();
}
