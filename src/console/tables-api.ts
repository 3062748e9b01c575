import { dirname } from 'node:path';
import type { Catalog } from '../query/catalog.js';
import type { JobTable } from '../query/job-tables.js';
import { sqlIdent } from '../sql-text.js';
import { tableStats } from '../query/table-stats.js';
import type { CatalogKeeper } from './catalog-keeper.js';
import { readJobFolder } from './job-folder.js';

/** Files under this size are "small": compaction (gamepipe compact) would merge them. */
export const SMALL_FILE_BYTES = 1024 * 1024;

/** One table as the Tables view shows it. */
export interface TableRow {
  table: string;
  job: string;
  kind: JobTable['kind'];
  rows: number;
  files: number;
  bytes: number;
  smallFiles: number;
  /** Distinct partition folders holding files (`dt=X`, `event_type=x/event_ts_day=Y`); 0 for an unpartitioned table. */
  partitions: number;
  schema: { name: string; type: string }[];
}

/** GET /api/tables: every job table and dead-letter table with its size, layout and schema. */
export async function listTables(paths: string[], keeper: CatalogKeeper): Promise<TableRow[]> {
  const folder = await readJobFolder(paths);
  return keeper.use(folder.tables, async (catalog) => {
    const stats = await tableStats(catalog);
    const rows: TableRow[] = [];
    for (const [i, table] of folder.tables.entries()) {
      const files = await table.files();
      rows.push({
        table: table.name,
        job: table.job,
        kind: table.kind,
        rows: stats[i]!.rows,
        files: stats[i]!.files,
        bytes: stats[i]!.bytes,
        smallFiles: files.filter((f) => f.bytes < SMALL_FILE_BYTES).length,
        // Every file of a partitioned table sits in the folder of its partition.
        partitions: table.partitionBy.length ? new Set(files.map((f) => dirname(f.url))).size : 0,
        schema: await tableSchema(catalog, table.name),
      });
    }
    return rows;
  });
}

/** The columns of a table's view as DuckDB reads them (with `dt` for a partitioned table). */
async function tableSchema(catalog: Catalog, view: string): Promise<{ name: string; type: string }[]> {
  const described = await catalog.query(`SELECT column_name, column_type FROM (DESCRIBE ${sqlIdent(view)})`);
  return described.text.map(([name, type]) => ({ name: name!, type: type! }));
}
