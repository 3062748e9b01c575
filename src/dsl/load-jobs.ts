import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkJobSet } from './check-job-set.js';
import { checkJobText } from './check-job.js';
import { compileJob } from './compile-job.js';
import type { CompiledJob, Diagnostic, JobSpec } from './job-spec.js';

const JOB_FILE_SUFFIX = '.job.yaml';

function pathProblem(file: string, message: string): Diagnostic {
  return { file, line: 1, column: 1, severity: 'error', message };
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or directory';
  if (e.code === 'EACCES') return 'permission denied';
  return e.message ?? String(err);
}

/** The job files a list of paths names: files as given, directories as their sorted *.job.yaml files. */
async function expandPaths(paths: string[], diagnostics: Diagnostic[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    try {
      if ((await stat(path)).isDirectory()) {
        const names = (await readdir(path)).filter((n) => n.endsWith(JOB_FILE_SUFFIX)).sort();
        if (!names.length) diagnostics.push(pathProblem(path, `no *${JOB_FILE_SUFFIX} files in this directory`));
        files.push(...names.map((n) => join(path, n)));
      } else {
        files.push(path);
      }
    } catch (err) {
      diagnostics.push(pathProblem(path, reason(err)));
    }
  }
  return [...new Set(files)];
}

/**
 * Reads, checks and compiles job files (the only I/O of src/dsl). Missing paths and bad files are
 * diagnostics, never exceptions; only jobs whose file has no error are compiled.
 */
export async function loadJobs(paths: string[]): Promise<{ jobs: CompiledJob[]; diagnostics: Diagnostic[]; sources: Map<string, string> }> {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const specs: JobSpec[] = [];
  for (const file of await expandPaths(paths, diagnostics)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      diagnostics.push(pathProblem(file, reason(err)));
      continue;
    }
    sources.set(file, text);
    const checked = checkJobText(file, text);
    diagnostics.push(...checked.diagnostics);
    if (checked.spec) specs.push(checked.spec);
  }
  diagnostics.push(...checkJobSet(specs));
  const failed = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
  const jobs = specs.filter((s) => !failed.has(s.file)).map(compileJob);
  return { jobs, diagnostics, sources };
}
