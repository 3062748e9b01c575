import { UserError } from '../user-error.js';
import { openCatalog, type Catalog } from './catalog.js';
import { jobTables, loadJobsForQuery } from './job-tables.js';
import type { OutputFormat } from './result-format.js';

/** The flags `query` and `tables` share: which jobs, and how to print. */
export const CATALOG_FLAGS = {
  jobs: { type: 'string', multiple: true },
  csv: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The job paths of `--jobs` (repeatable), default `jobs/`. */
export function jobPaths(values: string[] | undefined): string[] {
  return values && values.length ? values : ['jobs'];
}

/** The output format of `--csv` / `--json`, default an aligned table. */
export function outputFormat(values: { csv?: boolean; json?: boolean }): OutputFormat {
  if (values.csv && values.json) throw new UserError('choose one of --csv and --json', 2);
  return values.csv ? 'csv' : values.json ? 'json' : 'table';
}

/** Loads the job files and opens the DuckDB catalog over their tables. */
export async function openJobCatalog(paths: string[]): Promise<Catalog> {
  return openCatalog(jobTables(await loadJobsForQuery(paths)));
}
