import type { JobSpec } from './job-spec.js';

/** Where the keys that the job-set checks point at sit in the spec's file (1-based). */
export interface SpecPositions {
  job: { line: number; column: number };
  sinkPath: { line: number; column: number };
}

// Kept beside the spec rather than in it, so the JobSpec contract with the runtime stays as agreed.
const positions = new WeakMap<JobSpec, SpecPositions>();

/** Remembers where a checked spec's keys are, for diagnostics across files. */
export function rememberPositions(spec: JobSpec, where: SpecPositions): void {
  positions.set(spec, where);
}

/** Where a spec's keys are; line 1 column 1 for specs that did not come from checkJobText. */
export function positionsOf(spec: JobSpec): SpecPositions {
  return positions.get(spec) ?? { job: { line: 1, column: 1 }, sinkPath: { line: 1, column: 1 } };
}
