// Hive-style partition folders (`dt=YYYY-MM-DD`), the same in every table format.
import { dtPartition, type PartitionColumn, type PartitionValues } from '../dsl/partition-values.js';

/** Partition columns in the order their folders nest. */
const PARTITION_COLUMNS: readonly PartitionColumn[] = ['dt'];

/** The Hive-style folder of a partition, relative to its table: `dt=2026-11-23`, or '' when unpartitioned. */
export function partitionPath(values: PartitionValues): string {
  return PARTITION_COLUMNS.filter((c) => values[c] !== undefined)
    .map((c) => `${c}=${values[c]}`)
    .join('/');
}

/** The `dt=` folder names among `names` that are before the UTC day of `now` (closed), oldest first. */
export function closedDays(names: string[], now: number, includeToday = false): string[] {
  const today = partitionPath(dtPartition(now));
  return names.filter((n) => /^dt=\d{4}-\d{2}-\d{2}$/.test(n) && (includeToday ? n <= today : n < today)).sort();
}
