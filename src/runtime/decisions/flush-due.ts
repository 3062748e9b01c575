/** The size of one partition's open batch, as the flush bounds count it. */
export interface OpenBatchSize {
  rows: number;
  rejectedRows: number;
  /** Input bytes read into the batch. */
  bytes: number;
}

export interface FlushBounds {
  triggerMs: number;
  maxRows: number;
  maxBytes: number;
}

/**
 * True when a job should commit now: its trigger passed since `lastFlush`, or one partition's open
 * batch reached `maxRows` (dead letters count, they are rows of a file too) or `maxBytes` of input.
 */
export function flushDue(now: number, lastFlush: number, bounds: FlushBounds, batches: Iterable<OpenBatchSize>): boolean {
  if (now - lastFlush >= bounds.triggerMs) return true;
  for (const b of batches) if (b.rows + b.rejectedRows >= bounds.maxRows || b.bytes >= bounds.maxBytes) return true;
  return false;
}
