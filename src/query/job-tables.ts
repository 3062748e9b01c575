import type { ColumnType, CompiledJob, PartitionField } from '../dsl/job-spec.js';
import { formatDiagnostic } from '../dsl/format-diagnostic.js';
import { loadJobs } from '../dsl/load-jobs.js';
import { DEAD_LETTER_COLUMNS } from '../dsl/dead-letters.js';
import type { DataFile } from '../table/job-store.js';
import { rejectedSinkPath } from '../table/location.js';
import { openJobStore } from '../table/open-job-store.js';
import { UserError } from '../user-error.js';

/** One queryable table: a job's output or its dead letters. */
export interface JobTable {
  /** The view name: the job's name, or `<job>_rejected`. */
  name: string;
  job: string;
  kind: 'output' | 'rejected';
  /** Where the table lives (a folder or an s3:// URL), for messages. */
  location: string;
  /** The table's live data files, as DuckDB names them. */
  files(): Promise<DataFile[]>;
  columns: { name: string; type: ColumnType }[];
  /** The partition columns whose folders (`name=value`) the files sit in, in nesting order; none when unpartitioned. */
  partitionBy: readonly Pick<PartitionField, 'name' | 'type'>[];
}

/** The tables a set of compiled jobs defines: each job's output, then its dead letters. */
export function jobTables(jobs: CompiledJob[]): JobTable[] {
  return jobs.flatMap((job) => {
    const store = openJobStore(job);
    const { job: name, sink } = job.spec;
    return [
      { name, job: name, kind: 'output', location: store.location, files: () => store.files('output'), columns: job.columns, partitionBy: sink.partitionBy },
      { name: `${name}_rejected`, job: name, kind: 'rejected', location: rejectedSinkPath(store.location), files: () => store.files('rejected'), columns: DEAD_LETTER_COLUMNS, partitionBy: [] },
    ] satisfies JobTable[];
  });
}

/**
 * Loads the job files under `paths` for the analyst commands. A file with errors is reported on
 * stderr in one line and left out, so one broken job never hides the others' tables.
 */
export async function loadJobsForQuery(paths: string[], warn = (line: string) => process.stderr.write(`${line}\n`)): Promise<CompiledJob[]> {
  const loaded = await loadJobs(paths);
  const reported = new Set<string>();
  for (const d of loaded.diagnostics) {
    if (d.severity !== 'error' || reported.has(d.file)) continue;
    reported.add(d.file);
    warn(`warning: skipping ${formatDiagnostic(d, loaded.sources.get(d.file)).split('\n')[0]}`);
  }
  if (loaded.jobs.length === 0) throw new UserError(`no valid job file in ${paths.join(' ')}`);
  return loaded.jobs;
}
