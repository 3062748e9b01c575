import type { JobSpec, OutputValue, PartitionField } from './job-spec.js';

// A job's output rows are partitioned by the columns its `sink.partition_by` names. Partition
// values travel as values from the runtime to the table stores, unescaped; only the table formats
// turn them into paths (`event_type=a%3Ab/event_ts_day=2026-11-23`, partition-folders.ts).

/**
 * The partition of a group of output rows: each partition column's value as text, in partition_by
 * order (`{ event_type: 'purchase_horse', event_ts_day: '2026-11-23' }`), null for a null value;
 * no key at all for an unpartitioned table. The text is the form Hive folders and Delta's
 * `partitionValues` hold: a date `YYYY-MM-DD`, an hour `YYYY-MM-DD-HH`, a month `YYYY-MM`, a
 * number in decimal, a boolean `true`/`false`.
 */
export type PartitionValues = Readonly<Record<string, string | null>>;

/**
 * The most table partitions one batch (of one Kafka partition) may write; a record that would
 * open one more stops the job (runtime/processing/record-loop.ts says why and how).
 */
export const MAX_BATCH_PARTITIONS = 1000;

/** The partition of every row of an unpartitioned table. */
export const UNPARTITIONED: PartitionValues = Object.freeze({});

/** Past this many distinct partitions remembered, a keyer forgets them and starts over (bounded memory). */
const MAX_REMEMBERED = 10_000;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The output row values a keyer reads: a batch row (raw_event may be bytes, never a partition column). */
type RowValue = OutputValue | Uint8Array;

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD-HH` of an hour number (hours since 1970-01-01T00). */
export function hourText(hour: number): string {
  const iso = new Date(hour * HOUR_MS).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}`;
}

/** `YYYY-MM` of a month number (months since 1970-01). */
export function monthText(month: number): string {
  const year = 1970 + Math.floor(month / 12);
  const m = month - (year - 1970) * 12 + 1;
  return `${year < 0 ? '-' : ''}${String(Math.abs(year)).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

const monthOfDay = new Map<number, number>();

/** The month number of a day number. */
function monthOf(day: number): number {
  let month = monthOfDay.get(day);
  if (month === undefined) {
    const d = new Date(day * DAY_MS);
    month = (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
    if (monthOfDay.size >= MAX_REMEMBERED) monthOfDay.clear();
    monthOfDay.set(day, month);
  }
  return month;
}

/**
 * One partition column's computation: `key` maps a row to a primitive that tells its partitions
 * apart (a bucket number for time transforms, the value itself otherwise), allocation-free;
 * `text` turns that key into the partition value, once per distinct key.
 */
interface FieldKeyer {
  key(row: readonly RowValue[], recordTime: number): string | number | bigint | boolean | null;
  text(key: string | number | bigint | boolean): string | null;
}

function fieldKeyer(field: PartitionField): FieldKeyer {
  const i = field.source;
  const time = (row: readonly RowValue[]) => row[i] as number | null;
  switch (field.transform) {
    case 'dt':
      return { key: (_row, recordTime) => Math.floor(recordTime / DAY_MS), text: (k) => dayText(k as number) };
    case 'day':
      return { key: (row) => nullOr(time(row), (ms) => Math.floor(ms / DAY_MS)), text: (k) => dayText(k as number) };
    case 'hour':
      return { key: (row) => nullOr(time(row), (ms) => Math.floor(ms / HOUR_MS)), text: (k) => hourText(k as number) };
    case 'month':
      return { key: (row) => nullOr(time(row), (ms) => monthOf(Math.floor(ms / DAY_MS))), text: (k) => monthText(k as number) };
    case 'identity':
      if (field.type === 'date') return { key: (row) => row[i] as number | null, text: (k) => dayText(k as number) };
      // Hive and Spark write an empty string to the null partition, and Delta reads an empty
      // partition value as null: '' cannot be told from null in a partition path either way.
      if (field.type === 'string') return { key: (row) => (row[i] === '' ? null : (row[i] as string | null)), text: (k) => String(k) };
      return { key: (row) => row[i] as number | bigint | boolean | null, text: (k) => String(k) };
  }
}

function nullOr(ms: number | null, f: (ms: number) => number): number | null {
  return ms === null || ms === undefined ? null : f(ms);
}

/**
 * Builds the function that gives an output row's partition. Called per row: for one partition
 * column it looks its key up in one map, for several in one map per column, and allocates only
 * for a partition it has not seen. Equal partitions get the same object while remembered, so it
 * can key a map of groups; after MAX_REMEMBERED distinct ones it starts over, after which a
 * partition may come as a second, equal object (its rows then go to a second file of the folder).
 */
export function partitionKeyer(spec: Pick<JobSpec, 'sink'>): (row: readonly RowValue[], recordTime: number) => PartitionValues {
  const fields = spec.sink.partitionBy;
  if (fields.length === 0) return () => UNPARTITIONED;
  const keyers = fields.map(fieldKeyer);
  const last = fields.length - 1;
  let root = new Map<unknown, unknown>();
  let remembered = 0;
  const keys: (string | number | bigint | boolean | null)[] = new Array(fields.length);
  const create = (): PartitionValues => {
    const values: Record<string, string | null> = {};
    fields.forEach((f, j) => (values[f.name] = keys[j] === null ? null : keyers[j]!.text(keys[j]!)));
    if (++remembered > MAX_REMEMBERED) {
      root = new Map();
      remembered = 1;
    }
    return Object.freeze(values);
  };
  return (row, recordTime) => {
    let node = root;
    for (let j = 0; j < last; j++) {
      const k = (keys[j] = keyers[j]!.key(row, recordTime));
      let next = node.get(k) as Map<unknown, unknown> | undefined;
      if (next === undefined) node.set(k, (next = new Map()));
      node = next;
    }
    const k = (keys[last] = keyers[last]!.key(row, recordTime));
    let values = node.get(k) as PartitionValues | undefined;
    if (values === undefined) {
      values = create();
      // `create` may have started over: walk again from the new root.
      let at = root;
      for (let j = 0; j < last; j++) {
        let next = at.get(keys[j]) as Map<unknown, unknown> | undefined;
        if (next === undefined) at.set(keys[j], (next = new Map()));
        at = next;
      }
      at.set(k, values);
    }
    return values;
  };
}
