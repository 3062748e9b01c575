import { checkedFilter } from './check-where.js';
import { compileCheckedJob } from './compile-checked-job.js';
import type { CompiledJob, JobSpec } from './job-spec.js';

/** Compiles a checked spec into the runtime's filter and projection. Pure. */
export function compileJob(spec: JobSpec): CompiledJob {
  let tree;
  if (spec.where !== undefined) {
    const checked = checkedFilter(spec.where, spec.schema);
    // Specs from checkJobText never get here with a bad filter; hand-built ones might.
    if (!checked.tree) throw new Error(`job ${spec.job}: invalid where: ${checked.problems[0].message}`);
    tree = checked.tree;
  }
  return compileCheckedJob(spec, tree);
}
