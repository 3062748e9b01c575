import { formatDiagnostic } from '../dsl/format-diagnostic.js';
import type { CompiledJob } from '../dsl/job-spec.js';
import { loadJobs } from '../dsl/load-jobs.js';
import { jobTables, type JobTable } from '../query/job-tables.js';

/** A job file that does not validate, with its errors as `file:line:col: error: message`. */
export interface InvalidJobFile {
  file: string;
  errors: string[];
}

/** What the job folder holds right now: the valid jobs, their tables, and the invalid files. */
export interface JobFolder {
  jobs: CompiledJob[];
  tables: JobTable[];
  invalid: InvalidJobFile[];
}

/** Reads the job files again; the console follows files added, changed and removed while it runs. */
export async function readJobFolder(paths: string[]): Promise<JobFolder> {
  const loaded = await loadJobs(paths);
  const errors = new Map<string, string[]>();
  for (const d of loaded.diagnostics) {
    if (d.severity !== 'error') continue;
    errors.set(d.file, [...(errors.get(d.file) ?? []), formatDiagnostic(d)]);
  }
  return {
    jobs: loaded.jobs,
    tables: jobTables(loaded.jobs),
    invalid: [...errors].map(([file, list]) => ({ file, errors: list })),
  };
}
