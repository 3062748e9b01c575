import type { Table, Vector } from 'apache-arrow';
import type { ColumnType } from '../../dsl/job-spec.js';

/** A data file's statistics as Delta keeps them in its `add` action. */
export interface FileStats {
  numRecords: number;
  minValues: Record<string, unknown>;
  maxValues: Record<string, unknown>;
  nullCount: Record<string, number>;
}

const DAY_MS = 86_400_000;

// Columns whose bounds are worth keeping for data skipping and cheap to find. Strings are left
// out: their bounds would need truncation rules to stay valid, and a missing bound is allowed.
const BOUNDED: ReadonlySet<ColumnType> = new Set(['int', 'long', 'double', 'timestamp', 'date']);

function statValue(type: ColumnType, value: number | bigint): unknown {
  if (type === 'timestamp') return new Date(Number(value)).toISOString();
  if (type === 'date') return new Date(Math.floor(Number(value) / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  // A long past 2^53 cannot be a JSON number without losing digits; keep it out of the bounds.
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  return Number.isFinite(value) ? value : undefined;
}

function bounds(vector: Vector): { min: number | bigint; max: number | bigint } | undefined {
  let min: number | bigint | undefined;
  let max: number | bigint | undefined;
  for (const value of vector as Iterable<number | bigint | null>) {
    if (value === null) continue;
    if (min === undefined || value < min) min = value;
    if (max === undefined || value > max) max = value;
  }
  return min === undefined ? undefined : { min, max: max! };
}

/** The statistics of the rows of `table`, whose columns have the job types `columns`. Pure. */
export function fileStats(table: Table, columns: readonly { name: string; type: ColumnType }[]): FileStats {
  const stats: FileStats = { numRecords: table.numRows, minValues: {}, maxValues: {}, nullCount: {} };
  for (const { name, type } of columns) {
    const vector = table.getChild(name);
    // A nested column's counts would be per leaf field (an object), which readers check against
    // the schema; leaving them out is allowed, and a wrong shape is not.
    if (!vector || (typeof type === 'object' && type.kind !== 'decimal')) continue;
    stats.nullCount[name] = vector.nullCount;
    if (!BOUNDED.has(type)) continue;
    const b = bounds(vector);
    if (!b) continue;
    const min = statValue(type, b.min);
    const max = statValue(type, b.max);
    if (min !== undefined && max !== undefined) {
      stats.minValues[name] = min;
      stats.maxValues[name] = max;
    }
  }
  return stats;
}
