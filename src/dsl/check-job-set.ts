import { posix } from 'node:path';
import type { Diagnostic, JobSpec } from './job-spec.js';
import { positionsOf } from './spec-positions.js';

/** A sink path in one spelling: forward slashes, no `./`, no trailing slash. */
export function normaliseSinkPath(path: string): string {
  const normal = posix.normalize(path.replace(/\\/g, '/'));
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

function inside(child: string, parent: string): boolean {
  return parent === '.' ? !child.startsWith('/') && !child.startsWith('..') : child.startsWith(`${parent}/`);
}

/** Checks jobs from several files together: duplicate job names, and sinks that share a folder. */
export function checkJobSet(specs: JobSpec[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const at = (spec: JobSpec, key: 'job' | 'sinkPath', message: string) =>
    diagnostics.push({ file: spec.file, ...positionsOf(spec)[key], severity: 'error', message });
  const byName = new Map<string, JobSpec>();
  const bySink: { path: string; spec: JobSpec }[] = [];
  for (const spec of specs) {
    const first = byName.get(spec.job);
    if (first) at(spec, 'job', `duplicate job name '${spec.job}' (also in ${first.file}:${positionsOf(first).job.line})`);
    else byName.set(spec.job, spec);
    const path = normaliseSinkPath(spec.sink.path);
    for (const other of bySink) {
      const where = `${other.spec.file}:${positionsOf(other.spec).sinkPath.line}`;
      if (other.path === path) at(spec, 'sinkPath', `sink path '${spec.sink.path}' is also written by job '${other.spec.job}' (${where})`);
      else if (inside(path, other.path) || inside(other.path, path)) {
        at(spec, 'sinkPath', `sink path '${spec.sink.path}' overlaps '${other.spec.sink.path}' of job '${other.spec.job}' (${where}); each job needs its own folder`);
      }
    }
    bySink.push({ path, spec });
  }
  return diagnostics;
}
