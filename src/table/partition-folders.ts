import type { PartitionField } from '../dsl/job-spec.js';
import type { PartitionValues } from '../dsl/partition-values.js';

// Hive-style partition folders (`event_type=purchase_horse/event_ts_day=2026-11-23`), the same in
// every table format: Delta tables lay their files out this way too, as Spark does, and the query
// catalog reads both with DuckDB's hive_partitioning.

/** The folder value of a null (or empty) partition value, as Hive, Spark and DuckDB name it. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

// The characters Hive's FileUtils.escapePathName writes as %XX: controls, DEL, and those with a
// meaning in paths, URIs or globs. Everything else (non-ASCII included) is kept as it is.
const ESCAPED = new Set([...Array.from({ length: 0x20 }, (_, c) => c), 0x7f, ...[...'"#%\'*/:=?\\{[]^'].map((c) => c.charCodeAt(0))]);

/** A partition value as a folder name part: Hive's escaping, and the default partition for null or ''. */
export function escapePartitionValue(value: string | null): string {
  if (value === null || value === '') return HIVE_DEFAULT_PARTITION;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    out += ESCAPED.has(c) ? `%${c.toString(16).toUpperCase().padStart(2, '0')}` : value[i];
  }
  return out;
}

/** The value a folder name part stands for: Hive's unescaping; null for the default partition. */
export function unescapePartitionValue(text: string): string | null {
  if (text === HIVE_DEFAULT_PARTITION) return null;
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The Hive-style folder of a partition, relative to its table: `event_type=x/dt=2026-11-23`, or '' when unpartitioned. */
export function partitionPath(values: PartitionValues): string {
  return Object.entries(values)
    .map(([column, value]) => `${column}=${escapePartitionValue(value)}`)
    .join('/');
}

/** The longest file or folder name local file systems (ext4, xfs, APFS) take, in bytes. */
export const MAX_FOLDER_NAME_BYTES = 255;

/**
 * Why a partition's folders cannot be made, or undefined: a value whose folder name (`column=`
 * and the escaped value) is longer than a file system takes. Checked when a batch first meets a
 * partition, so such a row is a bad record rather than a commit that fails on every retry.
 */
export function partitionFolderProblem(values: PartitionValues): string | undefined {
  for (const [column, value] of Object.entries(values)) {
    const bytes = Buffer.byteLength(`${column}=${escapePartitionValue(value)}`);
    if (bytes > MAX_FOLDER_NAME_BYTES) {
      return `partition column ${column}: its value makes a folder name of ${bytes} bytes, more than the ${MAX_FOLDER_NAME_BYTES} a file system takes`;
    }
  }
  return undefined;
}

/** The partition values of a folder path relative to its table, or undefined when it is not one of `fields`' folders. */
export function parsePartitionPath(path: string, fields: readonly PartitionField[]): PartitionValues | undefined {
  const parts = path.split('/');
  if (parts.length !== fields.length) return undefined;
  const values: Record<string, string | null> = {};
  for (const [i, part] of parts.entries()) {
    const prefix = `${fields[i]!.name}=`;
    if (!part.startsWith(prefix)) return undefined;
    values[fields[i]!.name] = unescapePartitionValue(part.slice(prefix.length));
  }
  return values;
}

const DAY_MS = 86_400_000;

/** The period a time partition value names, [start, end) in epoch ms, or undefined when it is no such value. */
function period(transform: PartitionField['transform'], value: string): { start: number; end: number } | undefined {
  let m: RegExpMatchArray | null;
  if ((transform === 'dt' || transform === 'day') && (m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value))) {
    return { start: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!), end: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]! + 1) };
  }
  if (transform === 'hour' && (m = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})$/.exec(value))) {
    return { start: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!), end: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]! + 1) };
  }
  if (transform === 'month' && (m = /^(\d{4})-(\d{2})$/.exec(value))) return { start: Date.UTC(+m[1]!, +m[2]! - 1, 1), end: Date.UTC(+m[1]!, +m[2]!, 1) };
  return undefined;
}

/**
 * Whether compaction takes a partition. By default only closed ones: a time column of it (dt, or
 * an hour/day/month of an event time) names a period that ended before the current UTC day, so
 * writers have moved on from it (a late record still lands beside the compacted file). With
 * `includeToday`, every partition but those of periods starting after today, including the ones
 * with no time column or a null time.
 */
export function compactionTakes(values: PartitionValues, fields: readonly PartitionField[], now: number, includeToday: boolean): boolean {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const periods = fields.flatMap((f) => {
    const value = values[f.name];
    const p = value === null || value === undefined ? undefined : period(f.transform, value);
    return p === undefined ? [] : [p];
  });
  if (includeToday) return periods.every((p) => p.start < today + DAY_MS);
  return periods.some((p) => p.end <= today);
}
