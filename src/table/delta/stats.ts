import type { Table, Vector } from 'apache-arrow';
import { decimalText } from '../../dsl/coerce-decimal.js';
import type { ColumnType, DecimalType } from '../../dsl/job-spec.js';

/** A data file's statistics as Delta keeps them in its `add` action. */
export interface FileStats {
  numRecords: number;
  minValues: Record<string, unknown>;
  maxValues: Record<string, unknown>;
  nullCount: Record<string, number>;
}

const DAY_MS = 86_400_000;

/**
 * A decimal column's bound, as its exact decimal text (`-0.05`, `12345678901234567890.12`).
 * Delta readers take a decimal bound as a JSON number and read it back at the column's scale
 * (Spark exactly, as a BigDecimal); a double would round the digits it cannot hold, and a bound
 * rounded the wrong way would let a reader skip a file holding rows it asked for. statsJson
 * writes it as a JSON number digit for digit.
 */
export class DecimalBound {
  constructor(readonly text: string) {}
}

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

/** The unscaled value of a Decimal128 cell (four little-endian 32-bit words, two's complement). */
function unscaled(words: Uint32Array): bigint {
  const n = BigInt(words[0]!) | (BigInt(words[1]!) << 32n) | (BigInt(words[2]!) << 64n) | (BigInt(words[3]!) << 96n);
  return BigInt.asIntN(128, n);
}

function decimalBounds(vector: Vector, type: DecimalType): { min: DecimalBound; max: DecimalBound } | undefined {
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (const cell of vector as Iterable<Uint32Array | null>) {
    if (cell === null) continue;
    const value = unscaled(cell);
    if (min === undefined || value < min) min = value;
    if (max === undefined || value > max) max = value;
  }
  return min === undefined ? undefined : { min: new DecimalBound(decimalText(min, type.scale)), max: new DecimalBound(decimalText(max!, type.scale)) };
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
    if (typeof type === 'object') {
      const b = decimalBounds(vector, type);
      if (b) [stats.minValues[name], stats.maxValues[name]] = [b.min, b.max];
      continue;
    }
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

/** The bounds of one column per name, as a JSON object: decimal bounds as JSON numbers of their exact text. */
function boundsJson(values: Record<string, unknown>): string {
  return `{${Object.entries(values)
    .map(([name, value]) => `${JSON.stringify(name)}:${value instanceof DecimalBound ? value.text : JSON.stringify(value)}`)
    .join(',')}}`;
}

/** `stats` as the JSON text of an `add` action's `stats`: what JSON.stringify writes, but decimal bounds exact. */
export function statsJson(stats: FileStats): string {
  return `{"numRecords":${stats.numRecords},"minValues":${boundsJson(stats.minValues)},"maxValues":${boundsJson(stats.maxValues)},"nullCount":${JSON.stringify(stats.nullCount)}}`;
}
