import { isMap, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';
import { didYouMean } from './did-you-mean.js';
import { typeText } from './column-types.js';
import type { ColumnSpec, PartitionField, ScalarType } from './job-spec.js';
import type { Reporter } from './reporter.js';
import { scalarValueOffsets } from './source-map.js';

// `sink.partition_by`: which partition columns a job's table has and how each row's value of them
// is computed. The names of transform columns follow Iceberg's default partition field names
// (`<column>_<transform>`), so a table reads the same whether Iceberg, Spark or gamepipe wrote it.

/** The time transforms a partition column may apply to a timestamp column. */
export const PARTITION_TRANSFORMS = ['hour', 'day', 'month'] as const;

/** Column types a column may be partitioned by as it is. */
export const PARTITION_COLUMN_TYPES: readonly ScalarType[] = ['string', 'int', 'long', 'boolean', 'date'];

/** The type of each transform's partition column: a day is a date; an hour or a month has no such type, so it is text. */
const TRANSFORM_TYPES: Record<(typeof PARTITION_TRANSFORMS)[number] | 'dt', ScalarType> = { dt: 'date', day: 'date', hour: 'string', month: 'string' };

/** A partition_by entry's text (without the checks that need the schema): `dt`, a column name, or a transform call. */
const ENTRY = /^\s*(?:([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([^()]*?)\s*\)|([A-Za-z_][A-Za-z0-9_]*))\s*$/;

/**
 * Checks `sink.partition_by` against the schema and returns its partition columns in order;
 * problems are reported at the entry (or the column it names) with a did-you-mean. `declared` holds
 * every column name the schema declares, valid or not, so a column reported elsewhere is not
 * reported again here as unknown.
 */
export function checkPartitionBy(doc: Document, schema: ColumnSpec[], declared: ReadonlySet<string>, report: Reporter): PartitionField[] {
  const list = doc.getIn(['sink', 'partition_by'], true) as Node | undefined;
  if (!isSeq(list)) return [];
  const fields: PartitionField[] = [];
  const seen = new Map<string, string>();
  const texts = new Set<string>();
  for (const item of list.items as Node[]) {
    // The shape check reports what is no text, empty text, and the same text twice.
    if (!isScalar(item) || typeof item.value !== 'string' || item.value === '' || texts.has(item.value)) continue;
    texts.add(item.value);
    const field = checkEntry(item as Scalar<string>, schema, declared, report);
    if (!field) continue;
    const before = seen.get(field.name);
    if (before !== undefined) {
      report.error(item.range?.[0] ?? 0, `sink.partition_by: '${field.text}' makes partition column '${field.name}', as '${before}' does already`);
      continue;
    }
    seen.set(field.name, field.text);
    fields.push(field);
  }
  return fields;
}

function checkEntry(node: Scalar<string>, schema: ColumnSpec[], declared: ReadonlySet<string>, report: Reporter): PartitionField | undefined {
  const text = node.value;
  const offsets = scalarValueOffsets(node, text);
  const at = (i: number) => offsets[Math.min(Math.max(i, 0), offsets.length - 1)]!;
  const where = `sink.partition_by: '${text.trim()}'`;
  const m = ENTRY.exec(text);
  if (!m) {
    report.error(at(0), `${where} is not a partition column: write a column name, dt, or hour(column), day(column), month(column)`);
    return undefined;
  }
  const columns = schema.map((c) => c.name);
  const column = (name: string) => schema.findIndex((c) => c.name === name);
  if (m[3] !== undefined) {
    const name = m[3];
    const i = column(name);
    if (name === 'dt' && i < 0) return { name: 'dt', text: 'dt', transform: 'dt', source: -1, type: 'date' };
    if (name === 'dt') {
      report.error(at(text.indexOf(name)), `${where}: dt is the UTC day of the Kafka record time, and the schema has a column 'dt' too, which the dt= folders would hide; rename that column`);
      return undefined;
    }
    if (i < 0) {
      if (!declared.has(name)) report.error(at(text.indexOf(name)), `${where} is not a column of the schema${didYouMean(name, [...columns, 'dt'])}; partition_by takes schema columns, dt, and hour/day/month(column)`);
      return undefined;
    }
    const type = schema[i]!.type;
    if (type === 'timestamp') {
      report.error(at(text.indexOf(name)), `${where} is a timestamp, which would make a folder per millisecond: partition by hour(${name}), day(${name}) or month(${name})`);
      return undefined;
    }
    if (typeof type !== 'string' || !PARTITION_COLUMN_TYPES.includes(type)) {
      report.error(at(text.indexOf(name)), `${where} is ${typeText(type)}; a partition column must be ${PARTITION_COLUMN_TYPES.join(', ')} (a folder per distinct value of it would be no use)`);
      return undefined;
    }
    return { name, text: name, transform: 'identity', source: i, type };
  }
  const transform = m[1]!;
  const arg = m[2]!;
  if (!(PARTITION_TRANSFORMS as readonly string[]).includes(transform)) {
    report.error(at(text.indexOf(transform)), `${where}: unknown partition transform '${transform}'${didYouMean(transform, PARTITION_TRANSFORMS)}; partition_by takes hour(column), day(column) and month(column)`);
    return undefined;
  }
  const argAt = at(text.indexOf('(') + 1 + text.slice(text.indexOf('(') + 1).indexOf(arg));
  const i = column(arg);
  if (i < 0) {
    if (!declared.has(arg)) report.error(argAt, `${where}: '${arg}' is not a column of the schema${didYouMean(arg, columns)}`);
    return undefined;
  }
  if (schema[i]!.type !== 'timestamp') {
    report.error(argAt, `${where}: ${transform}() takes a timestamp column, and '${arg}' is ${typeText(schema[i]!.type)}`);
    return undefined;
  }
  const name = `${arg}_${transform}`;
  if (column(name) >= 0 || declared.has(name)) {
    report.error(at(0), `${where} makes partition column '${name}', and the schema has a column of that name, which its folders would hide; rename that column`);
    return undefined;
  }
  return { name, text: `${transform}(${arg})`, transform: transform as PartitionField['transform'], source: i, type: TRANSFORM_TYPES[transform as keyof typeof TRANSFORM_TYPES] };
}

/** Every column name the schema mapping declares, whether or not its entry is valid. */
export function declaredColumns(doc: Document): Set<string> {
  const node = doc.get('schema', true);
  const names = new Set<string>();
  if (isMap(node)) for (const pair of node.items) if (isScalar(pair.key) && typeof pair.key.value === 'string') names.add(pair.key.value);
  return names;
}
