import type { ColumnType, DecimalType, ListType, MapType, ScalarType, StructType } from './job-spec.js';

// The one place that knows what each kind of column type is and how it is named in messages.

/** Scalar type names a schema may declare, in the order the docs list them. */
export const SCALAR_TYPES = ['string', 'int', 'long', 'double', 'boolean', 'timestamp', 'date', 'json'] as const satisfies readonly ScalarType[];

/** Bounds of a decimal's precision: 38 digits is what a 128-bit unscaled value holds, and what Delta and Spark allow. */
export const MAX_DECIMAL_PRECISION = 38;

/** The keys of a nested type's mapping in a job file: `{ struct: {...} }`, `{ list: T }`, `{ map: T }`. */
export const NESTED_KINDS = ['struct', 'list', 'map'] as const;

export function isDecimalType(type: ColumnType): type is DecimalType {
  return typeof type === 'object' && type.kind === 'decimal';
}

/** Struct, list and map: the types holding other values. */
export function isNestedType(type: ColumnType): type is StructType | ListType | MapType {
  return typeof type === 'object' && type.kind !== 'decimal';
}

/** A type as the docs and messages write it: `decimal(10,2)`, `list<double>`, `struct<name string, price decimal(10,2)>`. */
export function typeText(type: ColumnType): string {
  if (typeof type === 'string') return type;
  switch (type.kind) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'list':
      return `list<${typeText(type.element)}>`;
    case 'map':
      return `map<string, ${typeText(type.value)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name} ${typeText(f.type)}`).join(', ')}>`;
  }
}

const DECIMAL_TEXT = /^decimal\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/;

/**
 * Reads `decimal(p,s)` (or `decimal(p)`, scale 0, as in Spark and SQL): the type, a message saying
 * what is wrong with it, or undefined when the text is not a decimal at all.
 */
export function parseDecimalText(text: string): DecimalType | { problem: string } | undefined {
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return text === 'decimal' || text.startsWith('decimal(') ? { problem: `write a decimal type with its precision and scale, like decimal(10,2)` } : undefined;
  const precision = Number(m[1]);
  const scale = m[2] === undefined ? 0 : Number(m[2]);
  if (precision < 1 || precision > MAX_DECIMAL_PRECISION) return { problem: `the precision of ${text} must be 1 to ${MAX_DECIMAL_PRECISION} digits, got ${precision}` };
  if (scale > precision) return { problem: `the scale of ${text} (digits after the point) must be 0 to its precision ${precision}, got ${scale}` };
  return { kind: 'decimal', precision, scale };
}
