import { describe, expect, it } from 'vitest';
import type { Watermarks } from '../../src/runtime/job-runner/reader-link.js';
import { JobRunner } from '../../src/runtime/job-runner/job-runner.js';
import { ReaderStoppingError, TopicReader, type FetcherEvents, type PartitionFetcher } from '../../src/runtime/topic-reader.js';
import { after, fakeJob, fakeLog, FakeMember, FakeProcessing, FakeStore, flush, useFakeClock } from './job-runner/fakes.js';

// The topic reader over a fake fetcher and fake processing, feeding real job runners (with a fake
// group member and table each).

/** A fetcher the test delivers through; it keeps what the reader asked of it. */
class FakeFetcher implements PartitionFetcher {
  events!: FetcherEvents;
  readonly calls: string[] = [];
  private readonly generations = new Map<number, number>();
  closed = false;

  constructor(private readonly partitions: number[]) {}

  async start(): Promise<number[]> {
    return this.partitions;
  }

  seek(partition: number, offset: number): void {
    this.generations.set(partition, this.generation(partition) + 1);
    this.calls.push(`seek ${partition} ${offset}`);
  }

  isCurrent(partition: number, generation: number): boolean {
    return this.generation(partition) === generation;
  }

  pause(partition: number): void {
    this.calls.push(`pause ${partition}`);
  }

  resume(partition: number): void {
    this.calls.push(`resume ${partition}`);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  generation(partition: number): number {
    return this.generations.get(partition) ?? 0;
  }

  /** Delivers the records of `partition` from `from` up to `next`, fetched at `generation`. */
  deliver(partition: number, from: number, next: number, generation = this.generation(partition)): Promise<void> | undefined {
    return this.events.deliver({ partition, records: Buffer.from(String(next)), from, next, aborted: [], generation });
  }
}

function setUp(options: { partitions?: number[]; once?: boolean; marks?: Map<number, Watermarks> } = {}) {
  const fetcher = new FakeFetcher(options.partitions ?? [0]);
  const processing = new FakeProcessing();
  const { log, lines } = fakeLog();
  const marks = options.marks ?? new Map([[0, { low: 0, high: 100 }]]);
  const reader = new TopicReader('events', {
    log,
    once: options.once ?? false,
    processing,
    fetcher: (events) => {
      fetcher.events = events;
      return fetcher;
    },
    watermarks: async () => marks,
  });
  /** A job runner on this reader, its table checkpointed at `checkpoints`. */
  const job = async (name: string, checkpoints: Array<[number, number]> = []) => {
    const store = new FakeStore();
    for (const [p, next] of checkpoints) store.checkpoints.set(p, next);
    const member = new FakeMember();
    const runner = new JobRunner(fakeJob(name), { store: store.asJobStore, member, processing, log });
    const outcome: { done?: true; failed?: Error } = {};
    runner.done.then(
      () => (outcome.done = true),
      (err: Error) => (outcome.failed = err),
    );
    await reader.add(runner);
    const assign = async (partitions: number[]) => {
      member.assign(partitions);
      await flush();
    };
    return { runner, store, member, outcome, assign };
  };
  return { reader, fetcher, processing, lines, job };
}

useFakeClock();

describe('a topic reader: where it reads', () => {
  it('pauses partitions no job reads and reads the others from the lowest offset a job needs', async () => {
    const { fetcher, job } = setUp({ partitions: [0, 1] });
    const a = await job('a', [[0, 7]]);
    expect(fetcher.calls).toEqual(['pause 0', 'pause 1']);
    await a.assign([0]);
    expect(fetcher.calls).toEqual(['pause 0', 'pause 1', 'resume 0', 'seek 0 7']);
    const b = await job('b', [[0, 3]]);
    await b.assign([0]);
    expect(fetcher.calls.at(-1)).toBe('seek 0 3');
    await a.runner.stop();
    await b.runner.stop();
    expect(fetcher.calls.at(-1)).toBe('pause 0');
  });

  it('drops a delivery fetched before the partition was pointed elsewhere', async () => {
    const { fetcher, processing, job } = setUp();
    const a = await job('a');
    const before = fetcher.generation(0);
    await a.assign([0]);
    expect(fetcher.deliver(0, 0, 5, before)).toBeUndefined();
    expect(processing.messages.filter((m) => m.startsWith('records'))).toEqual([]);
    expect(a.runner.takesFrom(0)).toBe(0);
  });
});

describe('a topic reader: handing records over', () => {
  it('hands each record once to every job that takes it, from the lowest offset', async () => {
    const { fetcher, processing, job } = setUp();
    const a = await job('a');
    const b = await job('b', [[0, 5]]);
    await a.assign([0]);
    await b.assign([0]);
    fetcher.deliver(0, 0, 5);
    fetcher.deliver(0, 5, 9);
    // After a seek for another job: below both jobs' next offsets.
    fetcher.deliver(0, 0, 9);
    const ids = [a.runner.processingId, b.runner.processingId];
    expect(processing.messages.filter((m) => m.startsWith('records'))).toEqual([`records 0 0-5 for ${ids[0]}`, `records 0 5-9 for ${ids.join(',')}`]);
    expect([a.runner.takesFrom(0), b.runner.takesFrom(0)]).toEqual([9, 9]);
  });

  it('posts a seal after every record handed over before it', async () => {
    const { fetcher, processing, job } = setUp();
    const a = await job('a');
    await a.assign([0]);
    fetcher.deliver(0, 0, 4);
    await after(100);
    fetcher.deliver(0, 4, 6);
    const id = a.runner.processingId;
    expect(processing.messages.filter((m) => !m.startsWith('open'))).toEqual([`records 0 0-4 for ${id}`, `seal ${id}/0 0-4`, `records 0 4-6 for ${id}`]);
    expect(a.store.commits).toEqual([{ partition: 0, from: 0, next: 4 }]);
  });

  it('holds the next fetch while processing is full', async () => {
    const { fetcher, processing, job } = setUp();
    const a = await job('a');
    await a.assign([0]);
    let makeRoom!: () => void;
    processing.room = new Promise((resolve) => (makeRoom = resolve));
    const hold = fetcher.deliver(0, 0, 3);
    expect(hold).toBeInstanceOf(Promise);
    let released = false;
    void hold!.then(() => (released = true));
    await flush();
    expect(released).toBe(false);
    makeRoom();
    await flush();
    expect(released).toBe(true);
  });

  it('passes batch sizes to their job, which commits a full batch at once', async () => {
    const { fetcher, processing, job } = setUp();
    const a = await job('a');
    await a.assign([0]);
    fetcher.deliver(0, 0, 2);
    await after(100);
    processing.reply = (jobs, partition) => ({ batches: jobs.map((job) => ({ job, partition, from: 2, rows: 1_000_000, rejectedRows: 0, bytes: 10 })), failures: [] });
    fetcher.deliver(0, 2, 8);
    await after(0);
    expect(a.store.commits).toEqual([
      { partition: 0, from: 0, next: 2 },
      { partition: 0, from: 2, next: 8 },
    ]);
  });
});

describe('a topic reader: failures', () => {
  it('fails the jobs reading a partition whose records cannot be read, and only those', async () => {
    const { fetcher, lines, job } = setUp({ partitions: [0, 1] });
    const a = await job('a');
    const b = await job('b');
    await a.assign([0]);
    await b.assign([1]);
    fetcher.events.unreadable(0, 12, Object.assign(new Error('unknown codec 7'), { name: 'UnsupportedRecordsError' }) as never);
    await flush();
    expect(a.outcome.failed?.message).toBe('unknown codec 7');
    expect(b.outcome).toEqual({});
    expect(lines.some((l) => l.level === 'error' && l.msg === 'records cannot be read' && l.fields.offset === 12)).toBe(true);
  });

  it('fails the jobs of a delivery processing could not take', async () => {
    const { fetcher, processing, job } = setUp();
    const a = await job('a');
    await a.assign([0]);
    processing.process = () => Promise.reject(new Error('processing thread stopped'));
    fetcher.deliver(0, 0, 3);
    await flush();
    expect(a.outcome.failed?.message).toBe('processing thread stopped');
  });

  it('moves the jobs that read past a restarted log to its start, then reads it afresh', async () => {
    const { fetcher, job } = setUp();
    const a = await job('a');
    await a.assign([0]);
    fetcher.deliver(0, 0, 50);
    fetcher.events.logRestarted(0, 50, 0, 3);
    expect(a.runner.takesFrom(0)).toBe(0);
    expect(fetcher.calls.at(-1)).toBe('seek 0 0');
  });
});

describe('a topic reader beside its jobs', () => {
  it("keeps handing records to a fast job while a slow job's commit runs", async () => {
    const { fetcher, processing, job } = setUp();
    const slow = await job('slow');
    const fast = await job('fast');
    await slow.assign([0]);
    await fast.assign([0]);
    slow.store.hold();
    fetcher.deliver(0, 0, 5);
    await after(100);
    expect(fetcher.deliver(0, 5, 9)).toBeUndefined();
    const ids = `${slow.runner.processingId},${fast.runner.processingId}`;
    expect(processing.messages.filter((m) => m.startsWith('records')).at(-1)).toBe(`records 0 5-9 for ${ids}`);
    await after(10_000);
    expect(fast.store.commits).toHaveLength(2);
    expect(slow.store.commits).toHaveLength(0);
    slow.store.release();
    await after(100);
    expect(slow.store.commits).toHaveLength(2);
  });

  it('with --once, each job ends by itself at the end offsets seen at start', async () => {
    const { reader, fetcher, job } = setUp({ once: true, marks: new Map([[0, { low: 0, high: 6 }]]) });
    const a = await job('a');
    await a.assign([0]);
    fetcher.deliver(0, 0, 4);
    await after(200);
    expect(a.outcome).toEqual({});
    fetcher.deliver(0, 4, 6);
    await after(200);
    expect(a.outcome).toEqual({ done: true });
    expect(a.store.commits.at(-1)).toEqual({ partition: 0, from: 4, next: 6 });
    expect(reader.size).toBe(0);
  });

  it('counts only running jobs, and a removed job commits its open batch first', async () => {
    const { reader, fetcher, job } = setUp();
    const a = await job('a');
    const b = await job('b');
    await a.assign([0]);
    await b.assign([0]);
    expect(reader.size).toBe(2);
    fetcher.deliver(0, 0, 3);
    await reader.remove(a.runner);
    expect(a.store.commits).toEqual([{ partition: 0, from: 0, next: 3 }]);
    expect(reader.size).toBe(1);
    await reader.close();
    expect(fetcher.closed).toBe(true);
  });

  it('with --once, a job still waiting for the end offsets stops waiting when the reader closes', async () => {
    // A job of several topics fails whole: its reader of another topic may close while this job waits.
    const processing = new FakeProcessing();
    const { log } = fakeLog();
    const reader = new TopicReader('events', {
      log,
      once: true,
      processing,
      fetcher: (events) => Object.assign(new FakeFetcher([0]), { events }),
      watermarks: () => new Promise<Map<number, Watermarks>>(() => {}),
    });
    const runner = new JobRunner(fakeJob('a'), { store: new FakeStore().asJobStore, member: new FakeMember(), processing, log });
    const adding = reader.add(runner);
    await flush();
    await runner.fail(new Error('failed on another topic'));
    await reader.close();
    await expect(adding).rejects.toThrow(ReaderStoppingError);
  });
});

