// The console's query process: it alone runs analysts' SQL, so a runaway query can exhaust only
// its heap and DuckDB's memory_limit, and the console can always kill it (ConsoleQueries).
import { openCatalog, type Catalog } from '../query/catalog.js';
import type { JobTable } from '../query/job-tables.js';
import type { DataFile } from '../table/job-store.js';
import { ConsoleQueryError, guardedQuery } from './query-guard.js';
import type { ListedTable, QueryReply, QueryRequest } from './query-messages.js';

// DuckDB's share of this process: a console query should never starve the runner beside it.
const DUCKDB_MEMORY_LIMIT = process.env.GAMEPIPE_CONSOLE_DUCKDB_MEMORY ?? '512MB';
const DUCKDB_THREADS = 1;

let open: { key: string; catalog: Catalog } | undefined;
// The files each table's view reads, as the console listed them for the current request.
const files = new Map<string, DataFile[]>();

async function catalogFor(tables: ListedTable[], timeoutMs: number): Promise<Catalog> {
  for (const t of tables) files.set(t.name, t.files);
  // A table's files change with every batch; its location, columns and name only with the job file.
  const key = JSON.stringify(tables.map(({ files: _, ...t }) => t));
  if (open?.key !== key) {
    open?.catalog.close();
    open = undefined;
    const jobTables: JobTable[] = tables.map(({ files: _, ...t }) => ({ ...t, files: async () => files.get(t.name) ?? [] }));
    open = { key, catalog: await openCatalog(jobTables, { lockdown: true, timeoutMs, memoryLimit: DUCKDB_MEMORY_LIMIT, threads: DUCKDB_THREADS }) };
  }
  return open.catalog;
}

async function answer(request: QueryRequest): Promise<QueryReply> {
  try {
    const catalog = await catalogFor(request.tables, request.limits.timeoutMs);
    return { id: request.id, ok: true, answer: await guardedQuery(catalog, request.sql, request.limits, request.format, request.deadline) };
  } catch (err) {
    if (err instanceof ConsoleQueryError && (err.status === 400 || err.status === 403)) return { id: request.id, ok: false, status: err.status, message: err.message };
    return { id: request.id, ok: false, status: 400, message: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

// One request at a time: the console sends the next only after this one's reply.
process.on('message', (request: QueryRequest) => {
  void answer(request).then((reply) => process.send!(reply));
});
// The console going away (closed, or killed) ends this process too.
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true } satisfies QueryReply);
