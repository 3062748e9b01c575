import { readJobFolder } from './job-folder.js';
import { ConsoleQueryError } from './query-guard.js';
import type { ListedTable } from './query-messages.js';

/** The SQL of a request body, or a 400 saying what is wrong with it. */
export function sqlOfBody(body: unknown): string {
  const sql = (body as { sql?: unknown } | null)?.sql;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConsoleQueryError('the body must be a JSON object: {"sql": "SELECT ..."}', 400);
  if (typeof sql !== 'string') throw new ConsoleQueryError(`"sql" must be a string, got ${sql === undefined ? 'nothing' : typeof sql}`, 400);
  if (!sql.trim()) throw new ConsoleQueryError('"sql" is empty', 400);
  return sql;
}

/** The job folder's tables with their live files, as the query process reads them. */
export async function listedTables(paths: string[]): Promise<ListedTable[]> {
  const { tables } = await readJobFolder(paths);
  return Promise.all(tables.map(async ({ files, ...table }) => ({ ...table, files: await files() })));
}
