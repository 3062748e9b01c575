import type { CompiledJob } from '../dsl/job-spec.js';
import type { JobStore } from '../table/job-store.js';

/** One job the supervisor runs, as metrics, lag and compaction see it. */
export interface RunningJob {
  readonly job: CompiledJob;
  /** The store the job writes through, opened once per version of its file; lag and compaction share it. */
  readonly store: JobStore;
  /**
   * Set while the job's file no longer validates (`file:line:col: error: message`, its first
   * error): the job keeps running the version it started with, and says so.
   */
  readonly invalidFile: string | undefined;
}

// The job files are read in one place, the supervisor; everything else that needs the jobs of a
// running process asks it through this, so no caller sees a different set than the one running.

/** The jobs a runner runs now, read-only. */
export interface JobRoster {
  jobs(): readonly RunningJob[];
}
