import type { CompiledJob } from '../../dsl/job-spec.js';
import { requiredLiterals } from '../../dsl/required-literals.js';

/**
 * The string values one of which every event the job keeps holds (see requiredLiterals), or
 * undefined when its `where` gives none (or there is no `where`). Read from the checked tree the
 * job was compiled from, so a processing thread needs no filter parser for it.
 */
export function jobLiterals(job: Pick<CompiledJob, 'filterTree'>): ReadonlySet<string> | undefined {
  return job.filterTree ? requiredLiterals(job.filterTree) : undefined;
}
