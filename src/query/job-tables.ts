import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ColumnType, CompiledJob } from '../dsl/job-spec.js';
import { formatDiagnostic } from '../dsl/format-diagnostic.js';
import { loadJobs } from '../dsl/load-jobs.js';
import { DEAD_LETTER_COLUMNS } from '../runtime/dead-letters.js';
import { tableLayout } from '../table/folder/layout.js';
import { UserError } from '../user-error.js';

/** One queryable table: a job's output or its dead letters. */
export interface JobTable {
  /** The view name: the job's name, or `<job>_rejected`. */
  name: string;
  job: string;
  kind: 'output' | 'rejected';
  /** Absolute folder of the table's Parquet files. */
  dir: string;
  columns: { name: string; type: ColumnType }[];
  /** True when files sit in `dt=YYYY-MM-DD` folders (a `dt` column). */
  partitioned: boolean;
}

/** The tables a set of compiled jobs defines: each job's output, then its dead letters. */
export function jobTables(jobs: CompiledJob[]): JobTable[] {
  return jobs.flatMap((job) => {
    const layout = tableLayout(job.spec.sink.path);
    return [
      { name: job.spec.job, job: job.spec.job, kind: 'output', dir: layout.table, columns: job.columns, partitioned: job.spec.sink.partitionBy.includes('dt') },
      { name: `${job.spec.job}_rejected`, job: job.spec.job, kind: 'rejected', dir: layout.rejected, columns: DEAD_LETTER_COLUMNS, partitioned: false },
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

/** The committed data files of a table folder (`*.parquet`, outside the protocol's `_gamepipe/`). */
export async function committedFiles(dir: string): Promise<{ path: string; bytes: number }[]> {
  // A compaction swapping a partition between the listing and the stat makes listed names vanish;
  // the listing is then taken again, since it would otherwise miss the partition's files entirely.
  for (let attempt = 0; ; attempt++) {
    const files = await listCommittedFiles(dir);
    if (files !== 'vanished') return files;
    if (attempt === 10) throw new Error(`files under ${dir} keep vanishing while being listed`);
  }
}

async function listCommittedFiles(dir: string): Promise<{ path: string; bytes: number }[] | 'vanished'> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: { path: string; bytes: number }[] = [];
  for (const name of names) {
    if (!name.endsWith('.parquet') || name.startsWith('_gamepipe')) continue;
    const path = join(dir, name);
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return 'vanished' as const;
      throw err;
    });
    if (info === 'vanished') return info;
    if (info.isFile()) files.push({ path, bytes: info.size });
  }
  return files;
}
