import type { ColumnType, OutputValue } from '../dsl/job-spec.js';

/** The columns of every job's `<sink>_rejected` table. */
export const DEAD_LETTER_COLUMNS: { name: string; type: ColumnType }[] = [
  { name: 'reason', type: 'string' },
  { name: 'raw_event', type: 'string' },
  { name: 'topic', type: 'string' },
  { name: 'partition', type: 'int' },
  { name: 'offset', type: 'long' },
  { name: 'kafka_timestamp', type: 'timestamp' },
];

/** Fills `out` with one dead-letter row. */
export function deadLetterRow(
  out: OutputValue[],
  reason: string,
  raw: string,
  topic: string,
  partition: number,
  offset: string,
  timestamp: number,
): OutputValue[] {
  out[0] = reason;
  out[1] = raw;
  out[2] = topic;
  out[3] = partition;
  out[4] = BigInt(offset);
  out[5] = timestamp;
  return out;
}
