import { tableFromIPC } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessingPool, ProcessingThreadError } from '../../../src/runtime/processing/processing-pool.js';
import { compiled, jobText } from '../../dsl/job-text.js';
import { encodeRecordBatches } from '../../support/record-batches.js';

const job = compiled(jobText('where: quantity > 1\n', '  event_type: string\n  quantity: int\n', 'big'));

const fetched = (from: number, n: number): Promise<Buffer> =>
  encodeRecordBatches(from, Array.from({ length: n }, (_, i) => JSON.stringify({ event_type: 'x', quantity: (from + i) % 4 })));

describe('ProcessingPool (real worker threads)', () => {
  let pool: ProcessingPool | undefined;
  afterEach(() => pool?.stop());

  it('processes records of several partitions on its threads and seals each after all handed over before', async () => {
    pool = new ProcessingPool(2);
    const id = pool.addJob(job);
    for (const partition of [0, 1, 2]) pool.open(id, 'events', partition, 0);
    const processed = [];
    for (const partition of [0, 1, 2]) {
      for (let from = 0; from < 1000; from += 250) {
        processed.push(pool.process('events', partition, [id], await fetched(from, 250), from, []));
        await pool.whenRoom('events', partition);
      }
    }
    // Sealed without waiting for the processed replies: a seal is answered after them.
    const sealed = await Promise.all([0, 1, 2].map((p) => pool!.seal(id, 'events', p)));
    expect((await Promise.all(processed)).every((r) => r.failures.length === 0)).toBe(true);
    for (const batch of sealed) {
      const rows = batch.groups.flatMap(([, ipc]) => tableFromIPC(ipc).toArray().map((r) => r.toJSON().quantity));
      expect([batch.from, batch.next, batch.readRecords]).toEqual([0, 1000, 1000]);
      expect(rows).toHaveLength(500);
      expect(rows.every((q) => q > 1)).toBe(true);
    }
  });

  it('rejects the requests of a job it was never told about with a ProcessingThreadError', async () => {
    pool = new ProcessingPool(1);
    await expect(pool.seal(42, 'events', 0)).rejects.toBeInstanceOf(ProcessingThreadError);
  });

  it('when a thread fails, rejects what waits on it, says so once, and starts a new thread for the next request', async () => {
    const failures: Error[] = [];
    pool = new ProcessingPool(1, (err) => failures.push(err));
    const id = pool.addJob(job);
    pool.open(id, 'events', 0, 0);
    const processed = pool.process('events', 0, [id], await fetched(0, 10), 0, []);
    // A message no one waits on that the thread cannot carry out (a job it was never told about)
    // leaves it in an unknown state: the pool gives the thread up.
    pool.open(999, 'events', 0, 0);
    await processed;
    const sealing = pool.seal(id, 'events', 0);
    await expect(sealing).rejects.toBeInstanceOf(ProcessingThreadError);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(/processing thread failed: .*no job 999/);
    // The replacement knows every job; the failed thread's open batches are gone, as its jobs learn.
    await expect(pool.seal(id, 'events', 0)).rejects.toThrow(/no open batch of partition 0/);
    pool.open(id, 'events', 0, 10);
    await pool.process('events', 0, [id], await fetched(10, 10), 10, []);
    const sealed = await pool.seal(id, 'events', 0);
    expect([sealed.from, sealed.next, sealed.readRecords]).toEqual([10, 20, 10]);
    // The failed thread was ended; its exit is not reported as a second failure.
    expect(failures).toHaveLength(1);
  });

  it('once stopped, drops messages without throwing and rejects requests', async () => {
    pool = new ProcessingPool(1);
    const id = pool.addJob(job);
    pool.open(id, 'events', 0, 0);
    await pool.stop();
    expect(() => pool!.open(id, 'events', 1, 0)).not.toThrow();
    await expect(pool.seal(id, 'events', 0)).rejects.toBeInstanceOf(ProcessingThreadError);
    await expect(pool.process('events', 0, [id], await fetched(0, 10), 0, [])).rejects.toBeInstanceOf(ProcessingThreadError);
  });
});
