import { DataType, type Data, type Table, type Vector } from 'apache-arrow';

/**
 * How the parquet-wasm worker writes one batch, beyond the codec: what the Rust writer cannot
 * guess from the Arrow schema alone. Plain data, so it crosses to the worker thread as it is.
 */
export interface ParquetWritePlan {
  /** Dictionary page size above which a column chunk gives its dictionary up; the writer's 1 MiB when absent. */
  dictionaryPageBytes?: number;
  /** Top-level columns that differ from the writer's defaults. */
  columns: ParquetColumnPlan[];
}

export interface ParquetColumnPlan {
  name: string;
  /** False: `encoding` from the first value on. Default true. */
  dictionary?: boolean;
  /**
   * The encoding without a dictionary, or once it is given up. Must suit the column's physical
   * type: the Rust writer panics otherwise (DELTA_BINARY_PACKED: INT32/INT64 only).
   */
  encoding?: 'PLAIN' | 'DELTA_BINARY_PACKED' | 'DELTA_LENGTH_BYTE_ARRAY';
  statistics?: 'none' | 'chunk' | 'page';
}

/** The writer's own settings: 1 MiB dictionaries, PLAIN after them, page statistics everywhere. */
export const DEFAULT_WRITE_PLAN: ParquetWritePlan = { columns: [] };

/** Values sampled per column, evenly spread over the batch (a Kafka-stamped timestamp repeats in runs). */
const SAMPLE_VALUES = 1024;

/**
 * A column with at least this share of its sampled values distinct skips the dictionary: the
 * writer would hash values until the dictionary passes 1 MiB (130,000 unique timestamps, most of
 * a 200k-row batch) and then start over without it. With 1,024 samples, 99% allows ~10 repeats,
 * which takes ~50,000 or more distinct values in the batch: past 1 MiB of dictionary for values
 * over ~17 bytes, so mostly columns that would give their dictionary up anyway.
 */
const UNIQUE_SHARE = 0.99;

/**
 * Strings averaging more than this many bytes (raw_event: JSON text) get no statistics: a min
 * and max of free text prune nothing, and computing them costs a measurable share of encoding
 * (figures: docs/decisions/worker-and-parquet-settings.md).
 */
const LONG_STRING_BYTES = 64;

/**
 * A function giving the value at `i` of one chunk as a Set key, or null: string bytes read as
 * Latin-1 (no UTF-8 decoding, same equality), numbers and bigints as they are.
 */
function sampleKeys(data: Data): (i: number) => unknown {
  const valid = (i: number) => data.nullCount === 0 || data.getValid(i);
  const offsets = data.valueOffsets as Int32Array | undefined;
  if (offsets) {
    const values = data.values as Uint8Array;
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    return (i) => (valid(i) ? bytes.toString('latin1', offsets[i]!, offsets[i + 1]!) : null);
  }
  const values = data.values as ArrayLike<unknown>;
  return (i) => (valid(i) ? values[i] : null);
}

/** True when nearly all of the column's sampled non-null values differ. */
function nearlyUnique(vector: Vector): boolean {
  const step = Math.max(1, vector.length / SAMPLE_VALUES);
  const seen = new Set<unknown>();
  let values = 0;
  for (const data of vector.data) {
    if (data.length === 0) continue;
    const keyAt = sampleKeys(data);
    for (let x = 0; x < data.length; x += step) {
      const key = keyAt(Math.floor(x));
      if (key === null) continue;
      values++;
      seen.add(key);
    }
  }
  return values > 0 && seen.size >= values * UNIQUE_SHARE;
}

/** Average UTF-8 bytes of the non-null values of a Utf8 column, from its offsets alone. */
function averageBytes(vector: Vector): number {
  let bytes = 0;
  let values = 0;
  for (const data of vector.data) {
    const offsets = data.valueOffsets as Int32Array;
    if (data.length === 0 || offsets.length <= data.length) continue;
    bytes += offsets[data.length]! - offsets[0]!;
    values += data.length - data.nullCount;
  }
  return values === 0 ? 0 : bytes / values;
}

/**
 * The plan for a batch, from its Arrow types and a sample of its values, without knowing the job:
 * no dictionary for nearly unique columns (event_id, event_ts, raw_event); delta encodings where a
 * dictionary is not used, which measured smaller and cheaper than PLAIN for timestamps and for
 * UUIDs (whose interleaved length prefixes slow snappy); no statistics on long strings. Only
 * top-level primitive columns get entries: nested ones (Delta checkpoints) keep the defaults.
 */
export function writePlanFor(table: Table): ParquetWritePlan {
  const columns: ParquetColumnPlan[] = [];
  table.schema.fields.forEach(({ name, type }, i) => {
    const vector = table.getChildAt(i);
    if (!vector || DataType.isBool(type)) return;
    const column: ParquetColumnPlan = { name };
    if (DataType.isUtf8(type)) {
      column.encoding = 'DELTA_LENGTH_BYTE_ARRAY';
      if (averageBytes(vector) > LONG_STRING_BYTES) column.statistics = 'none';
    } else if (DataType.isInt(type) || DataType.isTimestamp(type) || DataType.isDate(type)) {
      column.encoding = 'DELTA_BINARY_PACKED';
    } else if (!DataType.isFloat(type)) {
      return;
    }
    if (nearlyUnique(vector)) column.dictionary = false;
    if (Object.keys(column).length > 1) columns.push(column);
  });
  return { columns };
}

/**
 * Batches a remembered plan serves before it is made again from the batch at hand. Sampling every
 * batch showed in CPU profiles as nearlyUnique's self time on the main thread (figures:
 * docs/decisions/worker-and-parquet-settings.md), while a table's columns keep their character
 * from batch to batch.
 */
const PLAN_REUSES = 16;

/**
 * Write plans remembered per table (a key the writer of its files gives, with the table's column
 * names and types, so a changed schema is planned afresh). Without a key every batch is planned.
 * Only batches of at least SAMPLE_VALUES rows give a plan to remember.
 */
export class RememberedWritePlans {
  private readonly kept = new Map<string, { plan: ParquetWritePlan; uses: number }>();

  constructor(private readonly planFor: (table: Table) => ParquetWritePlan) {}

  planOf(table: Table, tableKey: string | undefined): ParquetWritePlan {
    // A plan from a few rows says little: three rows of three colours look unique. Such a batch
    // (a job's first commit, a late day's handful) is planned for itself and remembered for none.
    if (tableKey === undefined || table.numRows < SAMPLE_VALUES) return this.planFor(table);
    const key = `${tableKey}\n${table.schema.fields.map((f) => `${f.name}:${f.type}`).join('\n')}`;
    const kept = this.kept.get(key);
    if (kept !== undefined && kept.uses < PLAN_REUSES) {
      kept.uses++;
      return kept.plan;
    }
    const plan = this.planFor(table);
    this.kept.set(key, { plan, uses: 1 });
    return plan;
  }
}
