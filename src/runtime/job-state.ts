import type { JobState } from './job-runner/job-runner.js';

/** What one runner of a job (one per topic) last said of itself. */
export interface PartState {
  state: JobState;
  error?: string;
}

/**
 * The state of a job from its runners' (one per topic): a failing runner makes the job failing
 * (with its error), then a starting one makes it starting, then a running one running; it is done
 * only when every runner is done, and stopped otherwise. A job of one topic has its runner's state.
 */
export function combinedJobState(parts: Iterable<PartState>): PartState {
  const all = [...parts];
  for (const wanted of ['failing', 'starting', 'running'] as const) {
    const part = all.find((p) => p.state === wanted);
    if (part) return part;
  }
  return { state: all.length > 0 && all.every((p) => p.state === 'done') ? 'done' : 'stopped' };
}
