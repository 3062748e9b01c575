import type { ColumnType } from '../../dsl/job-spec.js';
import { typeText } from '../../dsl/column-types.js';
import { UserError } from '../../user-error.js';
import { readJsonIfExists, replaceFileDurably } from '../storage/durable-fs.js';
import { applySchemaChanges, compareSchemas, parseSchemaTypeText, schemaTypeText, type SchemaType, type TypeChangeRules } from '../schema-change.js';

// A folder table's files carry their own schemas, and readers (DuckDB's read_parquet with
// union_by_name, which the catalog and compaction use) unify them by column name: a column missing
// from a file reads as null, and INTEGER beside BIGINT (or DOUBLE) reads as the wider type. It
// unifies struct fields by name the same way, inside lists and map values too: a field missing
// from a file reads as null, and an INTEGER field, element or value beside a BIGINT (or DOUBLE)
// one reads as the wider type, so WIDENINGS hold at any depth. The
// folder keeps the schema its files were written with in `_gamepipe/schema.json`, so a job that
// starts with a schema its files cannot be read back with is refused before it writes.

/** The schema record's content: every column the table's files were written with, and its type as job files write it. */
interface SchemaRecord {
  columns: { name: string; type: string }[];
}

/** Widenings whose older files DuckDB reads as the newer type, without loss. */
const WIDENINGS: Record<string, readonly string[]> = {
  int: ['long', 'double'],
  // Both are stored as UTF-8 text: the files do not tell them apart.
  string: ['json'],
  json: ['string'],
};

export const FOLDER_TYPE_CHANGES: TypeChangeRules = {
  widens: (from, to) => WIDENINGS[from]?.includes(to) ?? false,
  refusal: () => 'a Parquet folder widens int to long or double only (write to a new sink.path)',
};

/**
 * Checks the job's columns against the schema recorded at `path` and records their union. A table
 * without a record (new, or written before gamepipe kept one) takes the job's columns as they are.
 * Throws SchemaChangeError when the job removes, renames, narrows or changes a column.
 */
export async function settleFolderSchema(path: string, table: string, columns: readonly { name: string; type: ColumnType }[]): Promise<void> {
  const wanted = columns.map((c) => ({ name: c.name, type: folderSchemaType(c.type) }));
  const record = await readJsonIfExists<SchemaRecord>(path);
  const current = (record?.columns ?? []).map((c) => ({ name: c.name, type: recordedType(path, c) }));
  const changes = compareSchemas(table, current, wanted, FOLDER_TYPE_CHANGES);
  if (record && changes.added.length === 0 && changes.widened.length === 0 && changes.extended.length === 0) return;
  const settled = applySchemaChanges(current, changes).map((c) => ({ name: c.name, type: schemaTypeText(c.type) }));
  await replaceFileDurably(path, `${JSON.stringify({ columns: settled } satisfies SchemaRecord)}\n`);
}

function recordedType(path: string, column: { name: string; type: string }): SchemaType {
  try {
    return parseSchemaTypeText(column.type);
  } catch (err) {
    throw new UserError(`${path}: column '${column.name}' has a type gamepipe cannot read (${(err as Error).message}); fix or remove the file`);
  }
}

/** A job column type as the comparison sees it; its text is the job file's (typeText). */
export function folderSchemaType(type: ColumnType): SchemaType {
  if (typeof type === 'string' || type.kind === 'decimal') return typeText(type);
  switch (type.kind) {
    case 'list':
      return { list: folderSchemaType(type.element) };
    case 'map':
      return { map: folderSchemaType(type.value) };
    case 'struct':
      return { struct: type.fields.map((f) => ({ name: f.name, type: folderSchemaType(f.type) })) };
  }
}
