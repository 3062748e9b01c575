import type { JobSpec } from './job-spec.js';

// A job's output rows are partitioned by the columns its `sink.partition_by` names (only `dt`, the
// UTC day of the record time). Partition values travel as values from the runtime to the table
// stores; only the table formats turn them into paths (`dt=2026-11-23`).

/** A column a job may partition its output by. */
export type PartitionColumn = JobSpec['sink']['partitionBy'][number];

/**
 * The partition of a group of output rows: each partition column's value (`{ dt: '2026-11-23' }`),
 * none for an unpartitioned table.
 */
export type PartitionValues = Readonly<Partial<Record<PartitionColumn, string>>>;

/** The partition of every row of an unpartitioned table. */
export const UNPARTITIONED: PartitionValues = Object.freeze({});

const DAY_MS = 86_400_000;
const byDay = new Map<number, PartitionValues>();

/**
 * The `dt` partition of a row whose record time is `epochMs`: its UTC day, `YYYY-MM-DD`. The same
 * object for every time of one day, so it can key a map of groups.
 */
export function dtPartition(epochMs: number): PartitionValues {
  const day = Math.floor(epochMs / DAY_MS);
  let values = byDay.get(day);
  if (values === undefined) {
    values = Object.freeze({ dt: new Date(day * DAY_MS).toISOString().slice(0, 10) });
    byDay.set(day, values);
  }
  return values;
}
