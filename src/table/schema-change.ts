import { UserError } from '../user-error.js';

// What a job may change in its table's schema between runs. Both formats read a table's files as
// the union of their columns: an added column reads as null in older files. A column the job no
// longer has would silently stop being written, and a type the files cannot be read back as would
// break every reader, so both are refused before anything is written.

/** A column of a table's schema, its type named as the format names it (`int` or `integer`). */
export interface SchemaColumn {
  name: string;
  type: string;
}

/** How a format lets a column's type change: whether it reads files of `from` as `to`, and why not. */
export interface TypeChangeRules {
  widens(from: string, to: string): boolean;
  /** Said after a refused type change: what the format allows. */
  refusal(from: string, to: string): string;
}

/** What a job's schema changes in its table: columns it adds and columns whose type it widens. */
export interface SchemaChanges {
  added: SchemaColumn[];
  widened: { name: string; from: string; to: string }[];
}

/** The job's schema asks for a change its table cannot take: a removed, renamed, narrowed or changed column. */
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

/**
 * Compares the schema `table` has with the one the job writes. Throws a SchemaChangeError for the
 * first column in table order that is missing from the job or whose type the rules do not widen;
 * otherwise returns the columns the job adds (in job order) and the types it widens.
 */
export function compareSchemas(table: string, current: readonly SchemaColumn[], wanted: readonly SchemaColumn[], rules: TypeChangeRules): SchemaChanges {
  const wantedByName = new Map(wanted.map((c) => [c.name, c]));
  const currentNames = new Set(current.map((c) => c.name));
  const added = wanted.filter((c) => !currentNames.has(c.name));
  const widened: SchemaChanges['widened'] = [];
  for (const column of current) {
    const asked = wantedByName.get(column.name);
    if (!asked) {
      const renamedTo = added.filter((c) => c.type === column.type);
      const hint = renamedTo.length === 1 ? ` (renamed to '${renamedTo[0]!.name}'?)` : '';
      throw new SchemaChangeError(
        table,
        column.name,
        column.type,
        `missing${hint}`,
        'a column cannot be removed or renamed: keep it in schema:, or write to a new sink.path',
      );
    }
    if (asked.type === column.type) continue;
    if (!rules.widens(column.type, asked.type)) throw new SchemaChangeError(table, column.name, column.type, asked.type, rules.refusal(column.type, asked.type));
    widened.push({ name: column.name, from: column.type, to: asked.type });
  }
  return { added, widened };
}

/** The schema after the changes: the table's columns in their order with widened types, then the added ones. */
export function applySchemaChanges(current: readonly SchemaColumn[], changes: SchemaChanges): SchemaColumn[] {
  const widened = new Map(changes.widened.map((w) => [w.name, w.to]));
  return [...current.map((c) => ({ name: c.name, type: widened.get(c.name) ?? c.type })), ...changes.added];
}
