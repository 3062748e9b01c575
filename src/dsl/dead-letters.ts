import type { ColumnType, OutputValue } from './job-spec.js';

// Every job's output contract includes its `<sink>_rejected` table: one row per bad record, with
// the reason, the raw text and where it was read. Readers (query, console) and writers (the
// runtime, the table stores) all take its columns from here.

const COLUMNS = [
  { name: 'reason', type: 'string' },
  { name: 'raw_event', type: 'string' },
  { name: 'topic', type: 'string' },
  { name: 'partition', type: 'int' },
  { name: 'offset', type: 'long' },
  { name: 'kafka_timestamp', type: 'timestamp' },
] as const satisfies readonly { name: string; type: ColumnType }[];

/** The name of a column of the `<sink>_rejected` table. */
export type DeadLetterColumnName = (typeof COLUMNS)[number]['name'];

/** The columns of every job's `<sink>_rejected` table, in row order. */
export const DEAD_LETTER_COLUMNS: { name: DeadLetterColumnName; type: ColumnType }[] = COLUMNS.map((c) => ({ ...c }));

/** The position of each dead-letter column in a row, by name. */
export const DEAD_LETTER_COLUMN = Object.fromEntries(COLUMNS.map((c, i) => [c.name, i])) as Readonly<Record<DeadLetterColumnName, number>>;

/** A row buffer sized for one dead letter, for `deadLetterRow` to fill again and again. */
export function deadLetterRowBuffer(): OutputValue[] {
  return new Array<OutputValue>(COLUMNS.length).fill(null);
}

/** Fills `out` (from `deadLetterRowBuffer`) with one dead-letter row. */
export function deadLetterRow(
  out: OutputValue[],
  reason: string,
  raw: string,
  topic: string,
  partition: number,
  offset: string,
  timestamp: number,
): OutputValue[] {
  out[DEAD_LETTER_COLUMN.reason] = reason;
  out[DEAD_LETTER_COLUMN.raw_event] = raw;
  out[DEAD_LETTER_COLUMN.topic] = topic;
  out[DEAD_LETTER_COLUMN.partition] = partition;
  out[DEAD_LETTER_COLUMN.offset] = BigInt(offset);
  out[DEAD_LETTER_COLUMN.kafka_timestamp] = timestamp;
  return out;
}
