import { loadJobs } from '../dsl/load-jobs.js';
import { runJobTests } from '../dsl/run-job-tests.js';
import { jobPathsFrom, printDiagnostics } from './validate.js';

const USAGE = 'usage: gamepipe test <job files or directories>';

/** `gamepipe test`: runs every job's `tests:`; non-zero when a test fails or a file is invalid. */
export async function run(args: string[]): Promise<number> {
  const { paths } = jobPathsFrom(args, USAGE, false);
  const { jobs, diagnostics, sources } = await loadJobs(paths);
  printDiagnostics(diagnostics, sources);
  const invalid = diagnostics.some((d) => d.severity === 'error');
  let passed = 0;
  let failed = 0;
  for (const job of jobs) {
    if (!job.spec.tests.length) console.log(`---- ${job.spec.job}: no tests (${job.spec.file})`);
    for (const r of runJobTests(job)) {
      if (r.passed) passed++;
      else failed++;
      console.log(`${r.passed ? 'PASS' : 'FAIL'} ${r.job}: ${r.name}`);
      for (const line of r.diff) console.log(`     ${line}`);
    }
  }
  const broken = invalid ? `, ${new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.file)).size} invalid file(s)` : '';
  console.log(`${passed} passed, ${failed} failed${broken}`);
  return failed || invalid ? 1 : 0;
}
