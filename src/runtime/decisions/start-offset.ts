/**
 * Why a partition is read from where it is:
 * - `checkpoint`: from the table's checkpoint (or the job's position), which the log still holds;
 * - `start`: no checkpoint, so from where `source.start` says;
 * - `retention`: records past the checkpoint were deleted (retention, or kafka-delete-records), so
 *   from the earliest offset the log has;
 * - `restarted`: the log ends below the checkpoint, which no retention does: the topic was deleted
 *   and created again (or its log truncated), so its offsets started over and the checkpoint means
 *   nothing in it any more; it is read from its start as `source.start` says, as a new partition.
 */
export type StartCause = 'checkpoint' | 'start' | 'retention' | 'restarted';

/** Where a job reads a partition from, and why. */
export interface StartOffset {
  offset: number;
  cause: StartCause;
}

/**
 * Where to read a partition from, given the table's checkpoint (or the offset the job reads next)
 * and the log's earliest and latest (end) offsets. The checkpoint is the truth (the consumer
 * group's offsets only serve lag tooling) as long as the log holds it. Pure.
 *
 * In both other cases the job's open batch still commits from the old checkpoint, so the commit
 * that takes the first records moves the checkpoint across the gap (forward past deleted records,
 * or back to the new log's start) in one compare-and-set: see PartitionCursor.
 */
export function startOffset(checkpoint: number | undefined, earliest: number, latest: number, start: 'earliest' | 'latest'): StartOffset {
  const fromStart = start === 'earliest' ? earliest : latest;
  if (checkpoint === undefined) return { offset: fromStart, cause: 'start' };
  // Checked first: a log that ends below the checkpoint also starts below it.
  if (checkpoint > latest) return { offset: fromStart, cause: 'restarted' };
  if (checkpoint < earliest) return { offset: earliest, cause: 'retention' };
  return { offset: checkpoint, cause: 'checkpoint' };
}
