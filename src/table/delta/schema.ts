import type { ColumnType, PartitionField, ScalarType } from '../../dsl/job-spec.js';

/**
 * A Delta data type as the protocol's schema serialization writes it: a primitive's name
 * (`decimal(10,2)` included), or a struct, array or map object.
 */
export type DeltaType =
  | string
  | { type: 'struct'; fields: DeltaField[] }
  | { type: 'array'; elementType: DeltaType; containsNull: boolean }
  | { type: 'map'; keyType: DeltaType; valueType: DeltaType; valueContainsNull: boolean };

/** A field of a Delta table's schema (a struct type's field, as in `schemaString`). */
export interface DeltaField {
  name: string;
  type: DeltaType;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

/** What a job writes: its output columns and its partition columns. */
export interface TableColumns {
  columns: readonly { name: string; type: ColumnType }[];
  partitionBy: readonly Pick<PartitionField, 'name' | 'type'>[];
}

const DELTA_TYPES: Record<ScalarType, string> = {
  string: 'string',
  json: 'string',
  int: 'integer',
  long: 'long',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
  date: 'date',
};

/**
 * The Delta type a job column type is stored as. Every value inside a nested type may be null
 * (a struct field the event lacks, a null element), as every column may.
 */
export function deltaType(type: ColumnType): DeltaType {
  if (typeof type === 'string') return DELTA_TYPES[type];
  switch (type.kind) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'list':
      return { type: 'array', elementType: deltaType(type.element), containsNull: true };
    case 'map':
      return { type: 'map', keyType: 'string', valueType: deltaType(type.value), valueContainsNull: true };
    case 'struct':
      return { type: 'struct', fields: type.fields.map((f) => ({ name: f.name, type: deltaType(f.type), nullable: true, metadata: {} })) };
  }
}

/** A Delta type as one line of text (`struct<name:string,price:decimal(10,2)>`), to compare and to name in messages. */
export function deltaTypeText(type: DeltaType): string {
  if (typeof type === 'string') return type.replaceAll(' ', '');
  switch (type.type) {
    case 'array':
      return `array<${deltaTypeText(type.elementType)}>`;
    case 'map':
      return `map<${deltaTypeText(type.keyType)},${deltaTypeText(type.valueType)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${deltaTypeText(f.type)}`).join(',')}>`;
    default:
      return JSON.stringify(type);
  }
}

/**
 * The Delta fields of a job's output: every column nullable; then the partition columns that are no
 * output column (dt, hour/day/month of a timestamp), which live only in the log's partitionValues.
 */
export function deltaFields({ columns, partitionBy }: TableColumns): DeltaField[] {
  const fields = columns.map((c) => ({ name: c.name, type: deltaType(c.type), nullable: true, metadata: {} }));
  for (const p of partitionBy) {
    if (!columns.some((c) => c.name === p.name)) fields.push({ name: p.name, type: deltaType(p.type), nullable: true, metadata: {} });
  }
  return fields;
}

export function schemaString(fields: DeltaField[]): string {
  return JSON.stringify({ type: 'struct', fields });
}

export function parseSchemaString(text: string): DeltaField[] {
  const parsed = JSON.parse(text) as { fields?: DeltaField[] };
  return parsed.fields ?? [];
}

/** A column whose type in the table differs from the job's: the job cannot write to the table. */
export class SchemaConflictError extends Error {
  constructor(
    readonly column: string,
    readonly tableType: string,
    readonly jobType: string,
    readonly table: string,
  ) {
    super(`column '${column}' is ${tableType} in the Delta table ${table} but ${jobType} in the job; a column's type cannot change (write to a new table, or rename the column)`);
    this.name = 'SchemaConflictError';
  }
}

/**
 * The table schema after a job with `wanted` fields writes to a table with `current` ones: columns
 * the job adds are appended (nullable, so older files read them as null); columns the job no longer
 * has stay in the table. Undefined when nothing changes. Throws SchemaConflictError on a changed type.
 */
export function evolveSchema(current: DeltaField[], wanted: DeltaField[], table: string): DeltaField[] | undefined {
  const byName = new Map(current.map((f) => [f.name, f]));
  const added: DeltaField[] = [];
  for (const field of wanted) {
    const existing = byName.get(field.name);
    if (!existing) added.push(field);
    else if (deltaTypeText(existing.type) !== deltaTypeText(field.type)) {
      throw new SchemaConflictError(field.name, deltaTypeText(existing.type), deltaTypeText(field.type), table);
    }
  }
  return added.length ? [...current, ...added] : undefined;
}
