import type { ColumnType, MetaField, RecordMeta } from './job-spec.js';

/** Reads one value from a decoded event or its Kafka metadata. */
export type FieldReader = (event: Record<string, unknown>, meta: RecordMeta) => unknown;

/** The type each `$name` has when a filter reads it directly. */
export const META_TYPES: Record<MetaField, ColumnType> = {
  $timestamp: 'timestamp',
  $topic: 'string',
  $partition: 'int',
  $offset: 'long',
  $key: 'string',
};

/** The RecordMeta property behind each `$name`. */
export const META_PROPERTY: Record<MetaField, keyof RecordMeta> = {
  $timestamp: 'timestamp',
  $topic: 'topic',
  $partition: 'partition',
  $offset: 'offset',
  $key: 'key',
};

/** True for the `$names` of Kafka metadata. */
export function isMetaField(from: string): from is MetaField {
  return Object.hasOwn(META_PROPERTY, from);
}

function readPath(value: unknown, path: string[]): unknown {
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * A reader for a `from`: a `$name` reads metadata; a name with dots reads that top-level key when
 * the event has it (header-like keys) and the nested path otherwise; anything else, that key.
 */
export function fieldReader(from: string, exactKey = false): FieldReader {
  if (isMetaField(from)) {
    const property = META_PROPERTY[from];
    return (_event, meta) => meta[property];
  }
  if (exactKey || !from.includes('.')) {
    // Only names Object.prototype also has (constructor, __proto__) need the slower own-key test.
    return from in Object.prototype ? (event) => (Object.hasOwn(event, from) ? event[from] : undefined) : (event) => event[from];
  }
  const path = from.split('.');
  return (event) => {
    const whole = Object.hasOwn(event, from) ? event[from] : undefined;
    return whole !== undefined ? whole : readPath(event, path);
  };
}
