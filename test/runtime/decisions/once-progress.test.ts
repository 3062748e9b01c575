import { describe, expect, it } from 'vitest';
import { hasReadTo, onceProgress, type HeldPartition } from '../../../src/runtime/decisions/once-progress.js';

const ends = new Map([
  [0, 100],
  [1, 50],
  [2, 80],
]);
const held = (partition: number, next: number, settled = true): HeldPartition => ({ partition, next, settled });

describe('a --once job reaching the end offsets seen at start', () => {
  it('waits for its first assignment, even when the partitions it will get are already read', () => {
    expect(onceProgress(false, [], ends)).toBe('waiting');
  });

  it('is done with the partitions it holds, whatever other members of its group hold', () => {
    // Partition 1 belongs to a member running beside it: it does not hold this job back.
    expect(onceProgress(true, [held(0, 100), held(2, 80)], ends)).toBe('done');
  });

  it('is done at once when its group gave it no partition', () => {
    expect(onceProgress(true, [], ends)).toBe('done');
  });

  it('reads on while a partition it holds is below its end offset', () => {
    expect(onceProgress(true, [held(0, 100), held(2, 79)], ends)).toBe('reading');
  });

  it('commits before it is done: read to the end but not settled (open batch, commit in flight or fenced)', () => {
    expect(onceProgress(true, [held(0, 100), held(2, 80, false)], ends)).toBe('committing');
  });

  it('counts a partition started past its end offset (checkpoint ahead, or start: latest) as read', () => {
    expect(onceProgress(true, [held(1, 70)], ends)).toBe('done');
  });

  it('has nothing to read on a partition created after the start', () => {
    expect(hasReadTo([held(7, 0)], ends)).toBe(true);
    expect(onceProgress(true, [held(7, 0)], ends)).toBe('done');
  });
});
