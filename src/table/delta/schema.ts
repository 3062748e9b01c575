import type { ColumnType, PartitionField, ScalarType } from '../../dsl/job-spec.js';
import { compareSchemas, type SchemaType, type TypeChangeRules } from '../schema-change.js';

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

/** A Delta type as the comparison sees it: primitives by their protocol names, a string-keyed map by its values. */
export function deltaSchemaType(type: DeltaType): SchemaType {
  if (typeof type === 'string') return deltaTypeText(type);
  switch (type.type) {
    case 'array':
      return { list: deltaSchemaType(type.elementType) };
    case 'map':
      return type.keyType === 'string' ? { map: deltaSchemaType(type.valueType) } : deltaTypeText(type);
    case 'struct':
      return { struct: type.fields.map((f) => ({ name: f.name, type: deltaSchemaType(f.type) })) };
    default:
      return deltaTypeText(type);
  }
}

/**
 * The table's type with the struct fields the job's type adds, at any depth, appended after the
 * table's own (nullable, as every field gamepipe writes). The two were compared first: they differ
 * only by those fields.
 */
function withAddedFields(current: DeltaType, wanted: DeltaType): DeltaType {
  if (typeof current === 'string' || typeof wanted === 'string') return current;
  if (current.type === 'array' && wanted.type === 'array') return { ...current, elementType: withAddedFields(current.elementType, wanted.elementType) };
  if (current.type === 'map' && wanted.type === 'map') return { ...current, valueType: withAddedFields(current.valueType, wanted.valueType) };
  if (current.type !== 'struct' || wanted.type !== 'struct') return current;
  const wantedByName = new Map(wanted.fields.map((f) => [f.name, f]));
  const names = new Set(current.fields.map((f) => f.name));
  const kept = current.fields.map((f) => {
    const asked = wantedByName.get(f.name);
    return asked ? { ...f, type: withAddedFields(f.type, asked.type) } : f;
  });
  return { ...current, fields: [...kept, ...wanted.fields.filter((f) => !names.has(f.name))] };
}

/**
 * The table schema after a job with `wanted` fields writes to a table with `current` ones: columns
 * the job adds are appended, and so are fields it adds to a struct at any depth (nullable, so older
 * files read them as null; the protocol needs no table feature for either). Undefined when nothing
 * changes. Throws SchemaChangeError on a removed, renamed or retyped column or struct field.
 */
export function evolveSchema(current: DeltaField[], wanted: DeltaField[], table: string): DeltaField[] | undefined {
  const columns = (fields: DeltaField[]) => fields.map((f) => ({ name: f.name, type: deltaSchemaType(f.type) }));
  const { added, extended } = compareSchemas(table, columns(current), columns(wanted), DELTA_TYPE_CHANGES);
  if (added.length === 0 && extended.length === 0) return undefined;
  const wantedByName = new Map(wanted.map((f) => [f.name, f]));
  const extendedNames = new Set(extended.map((e) => e.name));
  const addedNames = new Set(added.map((c) => c.name));
  return [
    ...current.map((f) => (extendedNames.has(f.name) ? { ...f, type: withAddedFields(f.type, wantedByName.get(f.name)!.type) } : f)),
    ...wanted.filter((f) => addedNames.has(f.name)),
  ];
}
