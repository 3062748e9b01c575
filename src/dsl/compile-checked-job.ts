import { compilePredicate } from './compile-predicate.js';
import { compileProjection, outputColumns } from './compile-projection.js';
import type { Expr } from './filter-ast.js';
import type { CompiledJob, JobSpec } from './job-spec.js';

/**
 * Compiles a spec whose `where` was already parsed and checked into `tree`. Apart from compileJob
 * because it needs no parser: a processing thread compiles its jobs from the tree it is sent,
 * without loading or building the filter parser. Pure.
 */
export function compileCheckedJob(spec: JobSpec, tree: Expr | undefined): CompiledJob {
  return {
    spec,
    filterTree: tree,
    columns: outputColumns(spec),
    filter: compilePredicate(tree),
    project: compileProjection(spec),
  };
}
