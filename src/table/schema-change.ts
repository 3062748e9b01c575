import { UserError } from '../user-error.js';

// What a job may change in its table's schema between runs. Both formats read a table's files as
// the union of their columns: an added column reads as null in older files, and so does a field
// added to a struct at any depth (inside a list element or a map value too). A type the format
// widens (a folder's int to long) widens the same way in a field at any depth. A column or field the
// job no longer has would silently stop being written, and a type the files cannot be read back as
// would break every reader, so both are refused before anything is written.

/**
 * A column's type as the comparison sees it: a leaf named as the format names it (`int` or
 * `integer`, `decimal(10,2)`), or a struct, list or map holding such types.
 */
export type SchemaType = string | { struct: SchemaColumn[] } | { list: SchemaType } | { map: SchemaType };

/** A column of a table's schema (or a field of a struct), with its type. */
export interface SchemaColumn {
  name: string;
  type: SchemaType;
}

/** How a format lets a column's type change: whether it reads files of `from` as `to`, and why not. */
export interface TypeChangeRules {
  widens(from: string, to: string): boolean;
  /** Said after a refused type change: what the format allows. */
  refusal(from: string, to: string): string;
}

/** What a job's schema changes in its table: columns it adds, types it widens, structs it adds fields to. */
export interface SchemaChanges {
  added: SchemaColumn[];
  /** Leaf types the job widens: a column by its name, a nested field by its path (`item.qty`, `items[].qty`, `m{}.qty`). */
  widened: { name: string; from: string; to: string }[];
  /**
   * Columns holding a struct, list or map whose type the job changes: the paths of the struct fields
   * it adds (none when it only widens fields), and the column's type with the added and widened fields.
   */
  extended: { name: string; fields: string[]; to: SchemaType }[];
}

/** The job's schema asks for a change its table cannot take: a removed, renamed, narrowed or changed column or field. */
export class SchemaChangeError extends UserError {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly tableType: string,
    readonly jobType: string,
    reason: string,
  ) {
    super(`table ${table}: column '${column}' is ${tableType} in the table but ${jobType} in the job; ${reason}`);
    this.name = 'SchemaChangeError';
  }
}

const REMOVED_COLUMN = 'a column cannot be removed or renamed: keep it in schema:, or write to a new sink.path';
const REMOVED_FIELD = 'a field of a struct cannot be removed or renamed: keep it in schema:, or write to a new sink.path';

/**
 * A type as one line of text, as job files write it: `struct<name string, price decimal(10,2)>`,
 * `list<long>`, `map<string, int>`. The Parquet folder's schema record stores types this way.
 */
export function schemaTypeText(type: SchemaType): string {
  if (typeof type === 'string') return type;
  if ('struct' in type) return `struct<${type.struct.map((f) => `${f.name} ${schemaTypeText(f.type)}`).join(', ')}>`;
  if ('list' in type) return `list<${schemaTypeText(type.list)}>`;
  return `map<string, ${schemaTypeText(type.map)}>`;
}

/** Reads what schemaTypeText writes (field names are letters, digits and `_`). */
export function parseSchemaTypeText(text: string): SchemaType {
  let at = 0;
  const expect = (s: string) => {
    if (!text.startsWith(s, at)) throw new Error(`cannot read the type ${JSON.stringify(text)}: expected ${JSON.stringify(s)} at ${at}`);
    at += s.length;
  };
  const type = (): SchemaType => {
    if (text.startsWith('struct<', at)) {
      at += 'struct<'.length;
      const fields: SchemaColumn[] = [];
      while (!text.startsWith('>', at)) {
        if (fields.length) expect(', ');
        const name = /^\w+/.exec(text.slice(at))?.[0];
        if (!name) throw new Error(`cannot read the type ${JSON.stringify(text)}: expected a field name at ${at}`);
        at += name.length;
        expect(' ');
        fields.push({ name, type: type() });
      }
      expect('>');
      return { struct: fields };
    }
    if (text.startsWith('list<', at)) {
      at += 'list<'.length;
      const list = type();
      expect('>');
      return { list };
    }
    if (text.startsWith('map<string, ', at)) {
      at += 'map<string, '.length;
      const map = type();
      expect('>');
      return { map };
    }
    const leaf = /^\w+(\([^)]*\))?/.exec(text.slice(at))?.[0];
    if (!leaf) throw new Error(`cannot read the type ${JSON.stringify(text)}: expected a type at ${at}`);
    at += leaf.length;
    return leaf;
  };
  const read = type();
  if (at !== text.length) throw new Error(`cannot read the type ${JSON.stringify(text)}: unexpected ${JSON.stringify(text.slice(at))}`);
  return read;
}

/** What a type is: a leaf, or which of the nested kinds. */
function kindOf(type: SchemaType): 'leaf' | 'struct' | 'list' | 'map' {
  if (typeof type === 'string') return 'leaf';
  return 'struct' in type ? 'struct' : 'list' in type ? 'list' : 'map';
}

function sameType(a: SchemaType, b: SchemaType): boolean {
  return schemaTypeText(a) === schemaTypeText(b);
}

/** The columns (or fields) of `wanted` that `current` lacks, and the one `missing` was likely renamed to. */
function renameHint(missing: SchemaColumn, added: readonly SchemaColumn[], prefix: string): string {
  const sameTyped = added.filter((c) => sameType(c.type, missing.type));
  return sameTyped.length === 1 ? ` (renamed to '${prefix}${sameTyped[0]!.name}'?)` : '';
}

/** What mergeNested finds inside one column: the struct fields the job adds and the leaf fields it widens, by path. */
interface NestedChanges {
  addedFields: string[];
  widenedFields: SchemaChanges['widened'];
}

/**
 * Compares a nested type of the table with the job's at `path` (`item`, `items[].price`,
 * `prices{}.amount`). A leaf field keeps its type unless the rules widen it (types the rules widen
 * both ways are one type and keep the table's). Returns the table's type with the job's new struct
 * fields appended and widened leaves in the job's type (at any depth), recording their paths in
 * `found`; throws for a removed, renamed or retyped field.
 */
function mergeNested(table: string, path: string, current: SchemaType, wanted: SchemaType, rules: TypeChangeRules, found: NestedChanges): SchemaType {
  if (typeof current === 'string' || typeof wanted === 'string' || kindOf(current) !== kindOf(wanted)) {
    if (sameType(current, wanted)) return current;
    const [from, to] = [schemaTypeText(current), schemaTypeText(wanted)];
    if (typeof current === 'string' && typeof wanted === 'string' && rules.widens(from, to)) {
      // Types each read as the other (string and json in a folder) are one type in the files.
      if (rules.widens(to, from)) return current;
      found.widenedFields.push({ name: path, from, to });
      return wanted;
    }
    throw new SchemaChangeError(table, path, from, to, rules.refusal(from, to));
  }
  if ('list' in current && 'list' in wanted) return { list: mergeNested(table, `${path}[]`, current.list, wanted.list, rules, found) };
  if ('map' in current && 'map' in wanted) return { map: mergeNested(table, `${path}{}`, current.map, wanted.map, rules, found) };
  if (!('struct' in current) || !('struct' in wanted)) throw new Error('unreachable: both types are of one kind');
  const wantedByName = new Map(wanted.struct.map((f) => [f.name, f]));
  const currentNames = new Set(current.struct.map((f) => f.name));
  const added = wanted.struct.filter((f) => !currentNames.has(f.name));
  const kept = current.struct.map((field) => {
    const asked = wantedByName.get(field.name);
    if (!asked) throw new SchemaChangeError(table, `${path}.${field.name}`, schemaTypeText(field.type), `missing${renameHint(field, added, `${path}.`)}`, REMOVED_FIELD);
    return { name: field.name, type: mergeNested(table, `${path}.${field.name}`, field.type, asked.type, rules, found) };
  });
  found.addedFields.push(...added.map((f) => `${path}.${f.name}`));
  return { struct: [...kept, ...added] };
}

/**
 * Compares the schema `table` has with the one the job writes. Throws a SchemaChangeError for the
 * first column in table order (depth first inside it) that is missing from the job, whose type the
 * rules do not widen, or that holds a struct whose fields the job removes, renames or retypes (a
 * leaf field's type may widen as a column's does); otherwise returns the columns the job adds (in
 * job order), the types it widens (nested fields by path), and the nested columns it adds struct
 * fields to or widens fields of (the new fields after the table's, in job order).
 */
export function compareSchemas(table: string, current: readonly SchemaColumn[], wanted: readonly SchemaColumn[], rules: TypeChangeRules): SchemaChanges {
  const wantedByName = new Map(wanted.map((c) => [c.name, c]));
  const currentNames = new Set(current.map((c) => c.name));
  const added = wanted.filter((c) => !currentNames.has(c.name));
  const widened: SchemaChanges['widened'] = [];
  const extended: SchemaChanges['extended'] = [];
  for (const column of current) {
    const asked = wantedByName.get(column.name);
    if (!asked) throw new SchemaChangeError(table, column.name, schemaTypeText(column.type), `missing${renameHint(column, added, '')}`, REMOVED_COLUMN);
    if (sameType(column.type, asked.type)) continue;
    if (kindOf(column.type) === 'leaf' || kindOf(column.type) !== kindOf(asked.type)) {
      const [from, to] = [schemaTypeText(column.type), schemaTypeText(asked.type)];
      if (typeof column.type !== 'string' || typeof asked.type !== 'string' || !rules.widens(from, to)) throw new SchemaChangeError(table, column.name, from, to, rules.refusal(from, to));
      widened.push({ name: column.name, from, to });
      continue;
    }
    const found: NestedChanges = { addedFields: [], widenedFields: [] };
    const to = mergeNested(table, column.name, column.type, asked.type, rules, found);
    widened.push(...found.widenedFields);
    if (found.addedFields.length || found.widenedFields.length) extended.push({ name: column.name, fields: found.addedFields, to });
  }
  return { added, widened, extended };
}

/** The schema after the changes: the table's columns in their order with widened or extended types, then the added ones. */
export function applySchemaChanges(current: readonly SchemaColumn[], changes: SchemaChanges): SchemaColumn[] {
  // A widened nested field's path names no column; its column's new type is in `extended`.
  const changed = new Map<string, SchemaType>([...changes.widened.map((w) => [w.name, w.to] as const), ...changes.extended.map((e) => [e.name, e.to] as const)]);
  return [...current.map((c) => ({ name: c.name, type: changed.get(c.name) ?? c.type })), ...changes.added];
}
