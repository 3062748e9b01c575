/** One partition a job holds, as far as a --once run cares. */
export interface HeldPartition {
  partition: number;
  /** The next offset to read. */
  next: number;
  /** Everything read is committed: no open batch, no commit in flight, no fence to apply. */
  settled: boolean;
}

/**
 * Where a --once job stands:
 * - `waiting`: its group has not given it an assignment yet;
 * - `reading`: a partition it holds is below the end offset seen at start;
 * - `committing`: all read, but some of it is not committed yet (or a commit was fenced, and the
 *   partition goes on from the checkpoint that fenced it);
 * - `done`: every partition it holds is read to its end offset and committed.
 *
 * Only the partitions the job holds count: members of the same group running beside it hold the
 * others, and a rebalance that moves a partition away hands its uncommitted part to the new owner
 * (which reads it again from the checkpoint). A partition missing from `ends` (created after the
 * start) has nothing to read.
 */
export type OnceProgress = 'waiting' | 'reading' | 'committing' | 'done';

export function onceProgress(assigned: boolean, held: Iterable<HeldPartition>, ends: ReadonlyMap<number, number>): OnceProgress {
  if (!assigned) return 'waiting';
  const partitions = [...held];
  if (!hasReadTo(partitions, ends)) return 'reading';
  return partitions.every((p) => p.settled) ? 'done' : 'committing';
}

/** True when every partition in `held` has read up to its offset in `ends`. */
export function hasReadTo(held: Iterable<Pick<HeldPartition, 'partition' | 'next'>>, ends: ReadonlyMap<number, number>): boolean {
  for (const p of held) if (p.next < (ends.get(p.partition) ?? 0)) return false;
  return true;
}
