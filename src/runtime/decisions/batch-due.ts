/** The size of one partition's open batch, as the batch bounds count it. */
export interface OpenBatchSize {
  rows: number;
  rejectedRows: number;
  /** Input bytes read into the batch. */
  bytes: number;
}

export interface BatchBounds {
  triggerMs: number;
  maxRows: number;
  maxBytes: number;
}

/**
 * True when a job's batches are due to be sealed and committed now: its trigger passed since
 * `lastSeal`, or one partition's open batch reached `maxRows` (dead letters count, they are rows
 * of a file too) or `maxBytes` of input.
 */
export function batchDue(now: number, lastSeal: number, bounds: BatchBounds, batches: Iterable<OpenBatchSize>): boolean {
  if (now - lastSeal >= bounds.triggerMs) return true;
  for (const b of batches) if (pastBounds(b, bounds)) return true;
  return false;
}

/** True when an open batch reached `maxRows` (dead letters count) or `maxBytes` of input. */
export function pastBounds(batch: OpenBatchSize, bounds: Pick<BatchBounds, 'maxRows' | 'maxBytes'>): boolean {
  return batch.rows + batch.rejectedRows >= bounds.maxRows || batch.bytes >= bounds.maxBytes;
}
