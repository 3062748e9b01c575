/** Where a job starts reading a partition it was just given, and whether retention cut in. */
interface StartOffset {
  offset: number;
  /** True when records past the checkpoint were deleted by retention (the start is the earliest left). */
  pastRetention: boolean;
}

/**
 * A newly assigned partition starts at the table's checkpoint (the truth; the consumer group's
 * offsets only serve lag tooling), or at the earliest offset left when retention deleted records
 * past it; with no checkpoint, at the topic's earliest or latest offset as `source.start` says.
 */
export function startOffset(checkpoint: number | undefined, earliest: number, latest: number, start: 'earliest' | 'latest'): StartOffset {
  if (checkpoint === undefined) return { offset: start === 'earliest' ? earliest : latest, pastRetention: false };
  return checkpoint < earliest ? { offset: earliest, pastRetention: true } : { offset: checkpoint, pastRetention: false };
}
