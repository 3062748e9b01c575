import type { ColumnType } from '../../dsl/job-spec.js';
import { compareSchemas, type TypeChangeRules } from '../schema-change.js';

/** A field of a Delta table's schema (a struct type's field, as in `schemaString`). */
export interface DeltaField {
  name: string;
  type: string;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

/** What a job writes: its output columns and the Hive-style partition columns (only `dt`). */
export interface TableColumns {
  columns: readonly { name: string; type: ColumnType }[];
  partitionBy: readonly string[];
}

const DELTA_TYPES: Record<ColumnType, string> = {
  string: 'string',
  json: 'string',
  int: 'integer',
  long: 'long',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
  date: 'date',
};

/** The Delta primitive type a job column type is stored as. */
export function deltaType(type: ColumnType): string {
  return DELTA_TYPES[type];
}

/** The Delta fields of a job's output: every column nullable, partition columns (`dt` is a date) last. */
export function deltaFields({ columns, partitionBy }: TableColumns): DeltaField[] {
  const fields = columns.map((c) => ({ name: c.name, type: deltaType(c.type), nullable: true, metadata: {} }));
  for (const p of partitionBy) fields.push({ name: p, type: 'date', nullable: true, metadata: {} });
  return fields;
}

export function schemaString(fields: DeltaField[]): string {
  return JSON.stringify({ type: 'struct', fields });
}

export function parseSchemaString(text: string): DeltaField[] {
  const parsed = JSON.parse(text) as { fields?: DeltaField[] };
  return parsed.fields ?? [];
}

/** Type changes the Delta protocol allows only with the `typeWidening` table feature. */
const PROTOCOL_WIDENINGS: Record<string, readonly string[]> = {
  integer: ['long', 'double'],
  float: ['double'],
};

/**
 * Delta type changes: none. The protocol widens integer to long or double and float to double only
 * with the `typeWidening` reader and writer feature, and delta-rs (the `deltalake` package) refuses
 * to read any table that has it, so writing it would lock the table's readers out.
 */
export const DELTA_TYPE_CHANGES: TypeChangeRules = {
  widens: () => false,
  refusal: (from, to) =>
    PROTOCOL_WIDENINGS[from]?.includes(to)
      ? 'widening a Delta column needs the typeWidening table feature, which delta-rs cannot read (write to a new sink.path)'
      : "a Delta column's type cannot change (write to a new sink.path)",
};

/** A Delta field's type as one word (a primitive's name) or its JSON (a nested type's). */
function typeText(type: unknown): string {
  return typeof type === 'string' ? type : JSON.stringify(type);
}

/**
 * The table schema after a job with `wanted` fields writes to a table with `current` ones: columns
 * the job adds are appended (nullable, so older files read them as null). Undefined when nothing
 * changes. Throws SchemaChangeError on a removed, renamed or retyped column.
 */
export function evolveSchema(current: DeltaField[], wanted: DeltaField[], table: string): DeltaField[] | undefined {
  const columns = (fields: DeltaField[]) => fields.map((f) => ({ name: f.name, type: typeText(f.type) }));
  const { added } = compareSchemas(table, columns(current), columns(wanted), DELTA_TYPE_CHANGES);
  const addedNames = new Set(added.map((c) => c.name));
  return added.length ? [...current, ...wanted.filter((f) => addedNames.has(f.name))] : undefined;
}
