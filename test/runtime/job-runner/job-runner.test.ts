import { describe, expect, it, vi } from 'vitest';
import { BadRecordError } from '../../../src/runtime/bad-record-error.js';
import type { FlushResult } from '../../../src/runtime/job-runner/commit-sealed-batch.js';
import { JobRunner } from '../../../src/runtime/job-runner/job-runner.js';
import { after, fakeJob, fakeLog, FakeLink, FakeMember, FakeProcessing, FakeStore, flush, useFakeClock } from './fakes.js';

// The job runner with a fake group member, reader link, processing and table: the clock is
// vitest's, so every tick (100 ms) and trigger is stepped by hand.

interface Setup {
  triggerMs?: number;
  maxRows?: number;
  maxBytes?: number;
  start?: 'earliest' | 'latest';
  /** --once: the end offsets seen at start. */
  ends?: Map<number, number>;
  processing?: FakeProcessing;
}

async function started(name: string, setup: Setup = {}) {
  const store = new FakeStore();
  const member = new FakeMember();
  const processing = setup.processing ?? new FakeProcessing();
  const link = new FakeLink();
  const { log, lines } = fakeLog();
  const states: string[] = [];
  const committed: FlushResult[] = [];
  const runner = new JobRunner(fakeJob(name, setup), {
    store: store.asJobStore,
    member,
    processing,
    log,
    events: { onState: (_job, state) => states.push(state), onCommit: (_job, result) => committed.push(result) },
  });
  const outcome: { done?: true; failed?: Error } = {};
  runner.done.then(
    () => (outcome.done = true),
    (err: Error) => (outcome.failed = err),
  );
  await runner.start(link, setup.ends);
  /** Assigns `partitions` and lets the assignment run. */
  const assign = async (partitions: number[]) => {
    member.assign(partitions);
    await flush();
  };
  /** A delivery of `partition` up to `next`, as the reader hands it over; true when the job took some. */
  const hand = (partition: number, next: number): boolean => {
    if (runner.take(partition, next) === undefined) return false;
    processing.took(runner.processingId, partition, next);
    return true;
  };
  /** Processing reports the size of the job's open batch of `partition` starting at `from`. */
  const report = (partition: number, from: number, rows: number, rejectedRows: number, bytes: number) =>
    runner.batchSize({ job: runner.processingId, partition, from, rows, rejectedRows, bytes });
  return { runner, store, member, processing, link, lines, states, committed, outcome, assign, hand, report };
}

useFakeClock();

describe('a job runner: the trigger', () => {
  it('commits at the trigger, not before; the first records at once', async () => {
    const { store, member, committed, assign, hand, link } = await started('trigger');
    await assign([0]);
    expect(link.wants.get(0)).toBe(0);
    expect(hand(0, 5)).toBe(true);
    await after(100);
    // No commit yet: the first one comes at once.
    expect(store.commits).toEqual([{ partition: 0, from: 0, next: 5 }]);
    expect(member.offsets).toEqual([[0, 5]]);
    hand(0, 9);
    await after(9_800);
    expect(store.commits).toHaveLength(1);
    await after(100);
    // 9.9 s since the last commit.
    expect(store.commits).toHaveLength(1);
    await after(100);
    expect(store.commits).toEqual([
      { partition: 0, from: 0, next: 5 },
      { partition: 0, from: 5, next: 9 },
    ]);
    expect(committed.map((r) => [r.from, r.next, r.outcome])).toEqual([
      [0, 5, 'committed'],
      [5, 9, 'committed'],
    ]);
  });

  it('writes nothing at a trigger with nothing new', async () => {
    const { store, processing, assign } = await started('quiet');
    await assign([0]);
    await after(30_000);
    expect(store.commits).toEqual([]);
    expect(processing.messages.filter((m) => m.startsWith('seal'))).toEqual([]);
  });
});

describe('a job runner: the batch bounds', () => {
  it('commits a batch that reached max_rows before the trigger', async () => {
    const { store, assign, hand, report } = await started('rows', { maxRows: 10 });
    await assign([0]);
    hand(0, 5);
    await after(100);
    expect(store.commits).toHaveLength(1);
    hand(0, 20);
    report(0, 5, 9, 0, 9);
    await after(0);
    expect(store.commits).toHaveLength(1);
    // Dead letters count: they are rows of a file too.
    report(0, 5, 9, 1, 9);
    await after(0);
    expect(store.commits).toEqual([
      { partition: 0, from: 0, next: 5 },
      { partition: 0, from: 5, next: 20 },
    ]);
  });

  it('commits a batch that reached max_bytes, and ignores a size of a batch sealed since', async () => {
    const { store, assign, hand, report } = await started('bytes', { maxBytes: 1000 });
    await assign([0]);
    hand(0, 5);
    await after(100);
    hand(0, 8);
    // About the batch sealed at 5: not this one.
    report(0, 0, 1, 0, 5000);
    await after(0);
    expect(store.commits).toHaveLength(1);
    report(0, 5, 1, 0, 1000);
    await after(0);
    expect(store.commits.at(-1)).toEqual({ partition: 0, from: 5, next: 8 });
  });
});

describe('a job runner: the fence', () => {
  it('reads on from the fencing checkpoint, with no double hand-over', async () => {
    const { runner, store, member, processing, link, lines, committed, assign, hand } = await started('fenced');
    await assign([0]);
    hand(0, 5);
    // Another member committed the range first.
    store.checkpoints.set(0, 50);
    await after(100);
    expect(store.commits).toEqual([]);
    expect(member.offsets).toEqual([]);
    expect(committed).toEqual([]);
    expect(lines.some((l) => l.msg === 'batch fenced by another committer; resuming at its checkpoint' && l.fields.next === 50)).toBe(true);
    // The fence is applied at the next tick; until then the job takes nothing.
    expect(runner.take(0, 60)).toBeUndefined();
    await after(100);
    expect(link.wants.get(0)).toBe(50);
    expect(processing.messages).toContain(`open ${runner.processingId}/0 50 50`);
    expect(hand(0, 55)).toBe(true);
    expect(runner.take(0, 55)).toBeUndefined();
    await after(10_000);
    expect(store.commits).toEqual([{ partition: 0, from: 50, next: 55 }]);
    expect(member.offsets).toEqual([[0, 55]]);
  });
});

describe('a job runner: a failed commit', () => {
  it('fails the job at its next seal, and reports nothing done', async () => {
    const { runner, store, member, states, committed, outcome, assign, hand } = await started('broken');
    await assign([0]);
    store.failWith = new Error('disk full');
    hand(0, 5);
    await after(100);
    expect(outcome).toEqual({});
    hand(0, 7);
    await after(10_000);
    expect(outcome.failed?.message).toBe('disk full');
    expect(states).toEqual(['starting', 'running', 'failing']);
    expect(committed).toEqual([]);
    expect(member.offsets).toEqual([]);
    expect(member.left).toBe(true);
    expect(runner.stopped).toBe(true);
  });

  it('fails a --once job over a batch it could not commit, never done', async () => {
    const { store, states, outcome, assign, hand } = await started('broken-once', { ends: new Map([[0, 5]]) });
    await assign([0]);
    store.failWith = new Error('bucket gone');
    hand(0, 5);
    await after(200);
    expect(outcome.failed?.message).toBe('bucket gone');
    expect(states).not.toContain('done');
  });
});

describe('a job runner: the --once end', () => {
  it('is done only when every held partition reached its end offset and committed', async () => {
    const { runner, store, member, link, states, outcome, assign, hand } = await started('once', { ends: new Map([[0, 10], [1, 4]]) });
    await after(300);
    // No assignment yet: waiting, whatever the end offsets.
    expect(runner.onceProgress()).toBe('waiting');
    await assign([0, 1]);
    hand(0, 10);
    await after(100);
    expect(runner.onceProgress()).toBe('reading');
    expect(outcome).toEqual({});
    store.hold();
    hand(1, 4);
    await after(100);
    // Read to the end, but a commit is in flight.
    expect(outcome).toEqual({});
    expect(states).not.toContain('done');
    store.release();
    await after(100);
    expect(outcome).toEqual({ done: true });
    expect(states).toEqual(['starting', 'running', 'done']);
    expect(store.commits).toEqual([
      { partition: 0, from: 0, next: 10 },
      { partition: 1, from: 0, next: 4 },
    ]);
    expect([link.wants.get(0), link.wants.get(1)]).toEqual([undefined, undefined]);
    expect(member.left).toBe(true);
  });

  it('is done at once with nothing to read once the group assigned it', async () => {
    const { outcome, assign } = await started('empty-once', { ends: new Map() });
    await after(200);
    expect(outcome).toEqual({});
    await assign([]);
    await after(100);
    expect(outcome).toEqual({ done: true });
  });

  it('ends as failed on a bad record, after committing what came before it', async () => {
    const { runner, store, processing, states, outcome, assign, hand } = await started('bad', { ends: new Map([[0, 10]]) });
    await assign([0]);
    hand(0, 10);
    // Processing stopped the batch at the bad record, offset 6.
    processing.took(runner.processingId, 0, 6);
    runner.badRecordSeen({ job: runner.processingId, partition: 0, offset: 6, reason: 'not JSON' });
    await after(200);
    expect(outcome.failed).toBeInstanceOf(BadRecordError);
    expect(outcome.failed?.message).toContain('events/0@6: not JSON');
    expect(store.commits).toEqual([{ partition: 0, from: 0, next: 6 }]);
    expect(states).not.toContain('done');
  });
});

describe('a job runner: stop', () => {
  it('commits its open batches, then leaves', async () => {
    const { runner, store, member, processing, link, states, outcome, assign, hand } = await started('stopping');
    await assign([0, 1]);
    hand(0, 5);
    await after(100);
    hand(0, 8);
    hand(1, 3);
    await runner.stop();
    expect(store.commits).toEqual([
      { partition: 0, from: 0, next: 5 },
      { partition: 0, from: 5, next: 8 },
      { partition: 1, from: 0, next: 3 },
    ]);
    await runner.left;
    expect(member.left).toBe(true);
    expect(outcome).toEqual({ done: true });
    expect(states).toEqual(['starting', 'running', 'stopped']);
    expect(link.wants.get(0)).toBeUndefined();
    expect(processing.messages.at(-1)).toBe(`remove ${runner.processingId}`);
    expect(runner.take(0, 20)).toBeUndefined();
    // No tick runs once it left.
    await after(20_000);
    expect(store.commits).toHaveLength(3);
  });

  it('started after a stop joins nothing', async () => {
    const store = new FakeStore();
    const member = new FakeMember();
    const runner = new JobRunner(fakeJob('late'), { store: store.asJobStore, member, processing: new FakeProcessing(), log: fakeLog().log });
    await runner.stop();
    await runner.start(new FakeLink());
    expect(store.opened).toBe(0);
    await expect(runner.done).resolves.toBeUndefined();
  });
});

describe('a job runner beside another', () => {
  it("a slow commit of one job holds up neither the other job's records nor its commits", async () => {
    const processing = new FakeProcessing();
    const slow = await started('slow', { processing });
    const fast = await started('fast', { processing });
    await slow.assign([0]);
    await fast.assign([0]);
    slow.store.hold();
    expect([slow.hand(0, 5), fast.hand(0, 5)]).toEqual([true, true]);
    await after(100);
    expect(slow.store.commits).toEqual([]);
    expect(fast.store.commits).toEqual([{ partition: 0, from: 0, next: 5 }]);
    // Both take the next records while the slow commit runs.
    expect([slow.runner.take(0, 9), fast.runner.take(0, 9)]).toEqual([5, 5]);
    processing.took(slow.runner.processingId, 0, 9);
    processing.took(fast.runner.processingId, 0, 9);
    expect(slow.runner.holdFor(0)).toBeUndefined();
    await after(10_000);
    expect(fast.store.commits).toEqual([
      { partition: 0, from: 0, next: 5 },
      { partition: 0, from: 5, next: 9 },
    ]);
    expect(slow.store.commits).toEqual([]);
    slow.store.release();
    await after(100);
    expect(slow.store.commits).toEqual([
      { partition: 0, from: 0, next: 5 },
      { partition: 0, from: 5, next: 9 },
    ]);
  });

  it('holds reading of a partition only while its open batch is past its bounds and its commit runs', async () => {
    const { runner, store, assign, hand, report } = await started('bounded', { maxRows: 10 });
    await assign([0]);
    store.hold();
    hand(0, 5);
    await after(100);
    hand(0, 20);
    expect(runner.holdFor(0)).toBeUndefined();
    report(0, 5, 15, 0, 15);
    const hold = runner.holdFor(0);
    expect(hold).toBeInstanceOf(Promise);
    store.release();
    await hold;
    await after(0);
    expect(store.commits).toEqual([
      { partition: 0, from: 0, next: 5 },
      { partition: 0, from: 5, next: 20 },
    ]);
    expect(runner.holdFor(0)).toBeUndefined();
  });
});

describe('a job runner: where it reads from', () => {
  it('reads a log that restarted below the checkpoint from its start, and commits from the checkpoint', async () => {
    const { runner, store, processing, link, lines, assign, hand } = await started('recreated');
    store.checkpoints.set(0, 100);
    link.marks = new Map([[0, { low: 0, high: 20 }]]);
    await assign([0]);
    expect(link.wants.get(0)).toBe(0);
    expect(processing.messages).toContain(`open ${runner.processingId}/0 100 0`);
    expect(lines.some((l) => l.level === 'warn' && l.msg.startsWith('the log restarted below the checkpoint') && l.fields.restartAt === 0)).toBe(true);
    hand(0, 20);
    store.checkpoints.set(0, 100);
    await after(100);
    expect(store.commits).toEqual([{ partition: 0, from: 100, next: 20 }]);
  });

  it('passes over records deleted past the checkpoint with no false fence', async () => {
    const { store, link, lines, assign, hand } = await started('retention');
    store.checkpoints.set(0, 5);
    link.marks = new Map([[0, { low: 10, high: 20 }]]);
    await assign([0]);
    expect(link.wants.get(0)).toBe(10);
    expect(lines.some((l) => l.msg === 'records past the checkpoint were deleted by retention; resuming at the earliest offset')).toBe(true);
    hand(0, 12);
    await after(100);
    expect(store.commits).toEqual([{ partition: 0, from: 5, next: 12 }]);
  });

  it('jumps to the new log when the reader finds it ended below where the job reads', async () => {
    const { runner, processing, link, assign, hand } = await started('jump');
    await assign([0]);
    hand(0, 50);
    runner.logRestarted(0, 0, 3);
    expect(link.wants.get(0)).toBe(0);
    expect(processing.messages.at(-1)).toBe(`jump ${runner.processingId}/0 0`);
    // Another job read past the end, not this one: nothing moves.
    runner.logRestarted(0, 0, 3);
    expect(processing.messages.filter((m) => m.startsWith('jump'))).toHaveLength(1);
  });

  it('drops a revoked partition and tells the reader it reads it no more', async () => {
    const { runner, processing, link, assign } = await started('revoked');
    await assign([0, 1]);
    await assign([1]);
    expect(link.wants.get(0)).toBeUndefined();
    expect(link.wants.get(1)).toBe(0);
    expect(processing.messages).toContain(`close ${runner.processingId}/0`);
    expect(runner.takesFrom(0)).toBeUndefined();
    expect(runner.takesFrom(1)).toBe(0);
  });

  it('fails when its group member crashes', async () => {
    const { member, outcome, states } = await started('crashed');
    member.crash(new Error('coordinator gone'));
    await after(0);
    expect(outcome.failed?.message).toBe('coordinator gone');
    expect(states.at(-1)).toBe('failing');
  });
});

describe('a job runner: its start', () => {
  it('has started once its first assignment is applied', async () => {
    const { runner, assign } = await started('assigned');
    await assign([0]);
    await expect(runner.assignedOnce).resolves.toBe(true);
  });

  it('whose first assignment fails is a failed start: it leaves its group and holds nothing', async () => {
    const { runner, member, link, processing, outcome, assign } = await started('unassigned');
    link.watermarks = () => Promise.reject(new Error('NOT_LEADER_OR_FOLLOWER'));
    await assign([0, 1]);
    await after(0);
    await expect(runner.assignedOnce).rejects.toThrow('NOT_LEADER_OR_FOLLOWER');
    await runner.left;
    expect(member.left).toBe(true);
    expect(outcome.failed?.message).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(runner.takesFrom(0)).toBeUndefined();
    expect([...link.wants.values()].every((offset) => offset === undefined)).toBe(true);
    expect(processing.messages.at(-1)).toBe(`remove ${runner.processingId}`);
    // A later assignment (the member passes none once leaving) changes nothing.
    await assign([0]);
    expect(runner.takesFrom(0)).toBeUndefined();
  });

  it('whose join fails is a failed start: it ends as failed and holds nothing, with no caller to fail it', async () => {
    const store = new FakeStore();
    const member = new FakeMember();
    member.joinFails = new Error('could not join the consumer group gamepipe.unjoined');
    const processing = new FakeProcessing();
    const { log } = fakeLog();
    const states: string[] = [];
    const runner = new JobRunner(fakeJob('unjoined'), { store: store.asJobStore, member, processing, log, events: { onState: (_job, state) => states.push(state) } });
    await expect(runner.start(new FakeLink())).rejects.toThrow('could not join');
    await expect(runner.assignedOnce).rejects.toThrow('could not join');
    await expect(runner.done).rejects.toThrow('could not join');
    expect(member.left).toBe(true);
    expect(states).toEqual(['starting', 'failing']);
    expect(processing.messages.at(-1)).toBe(`remove ${runner.processingId}`);
    // Its tick timer is gone with it: no tick runs on a job that never started.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stopped before its first assignment has not started', async () => {
    const { runner, member, outcome } = await started('never-assigned');
    await runner.stop();
    await expect(runner.assignedOnce).resolves.toBe(false);
    await runner.left;
    expect(member.left).toBe(true);
    expect(outcome).toEqual({ done: true });
  });
});
