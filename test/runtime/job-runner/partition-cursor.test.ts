import { describe, expect, it } from 'vitest';
import { PartitionCursor } from '../../../src/runtime/job-runner/partition-cursor.js';

describe('a partition cursor', () => {
  it('takes each record once: a delivery ending at or below next is a re-delivery', () => {
    const cursor = new PartitionCursor(0, 10);
    expect(cursor.take(15)).toBe(10);
    expect(cursor.next).toBe(15);
    expect(cursor.take(15)).toBeUndefined();
    expect(cursor.take(12)).toBeUndefined();
    expect(cursor.take(20)).toBe(15);
    expect(cursor.dirty).toBe(true);
  });

  it('starts the next batch empty at next', () => {
    const cursor = new PartitionCursor(0, 0);
    cursor.take(8);
    cursor.setSize({ from: 0, rows: 8, rejectedRows: 1, bytes: 80 });
    expect([cursor.rows, cursor.rejectedRows, cursor.bytes]).toEqual([8, 1, 80]);
    cursor.startNextBatch();
    expect([cursor.from, cursor.next, cursor.dirty]).toEqual([8, 8, false]);
    expect([cursor.rows, cursor.rejectedRows, cursor.bytes]).toEqual([0, 0, 0]);
    // A late size of the sealed batch does not count for the new one.
    cursor.setSize({ from: 0, rows: 9, rejectedRows: 0, bytes: 90 });
    expect(cursor.rows).toBe(0);
  });

  it('takes nothing while a fence waits, then restarts at it with an empty batch', () => {
    const cursor = new PartitionCursor(0, 0);
    cursor.take(5);
    cursor.fence = 40;
    expect(cursor.takesFrom).toBeUndefined();
    expect(cursor.take(50)).toBeUndefined();
    expect(cursor.next).toBe(5);
    cursor.restartAt(40);
    expect([cursor.from, cursor.next, cursor.fence, cursor.dirty]).toEqual([40, 40, undefined, false]);
    expect(cursor.take(50)).toBe(40);
  });

  it('jumps below its checkpoint after a topic was created again, dirty before any record', () => {
    const cursor = new PartitionCursor(0, 100, 0);
    expect(cursor.dirty).toBe(true);
    expect(cursor.take(3)).toBe(0);
    cursor.jumpTo(0);
    expect([cursor.from, cursor.next]).toEqual([100, 0]);
  });

  it('ends the open batch before a bad record, never below its floor', () => {
    const cursor = new PartitionCursor(0, 10);
    cursor.take(20);
    cursor.cutAt(15);
    expect(cursor.next).toBe(15);
    cursor.cutAt(5);
    expect(cursor.next).toBe(10);
  });
});
