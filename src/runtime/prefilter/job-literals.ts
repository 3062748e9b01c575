import { checkedFilter } from '../../dsl/check-where.js';
import type { JobSpec } from '../../dsl/job-spec.js';
import { requiredLiterals } from '../../dsl/required-literals.js';

/**
 * The string values one of which every event the job keeps holds (see requiredLiterals), or
 * undefined when its `where` gives none: no `where`, or one that does not check.
 */
export function jobLiterals(spec: Pick<JobSpec, 'where' | 'schema'>): ReadonlySet<string> | undefined {
  if (spec.where === undefined) return undefined;
  const { tree } = checkedFilter(spec.where, spec.schema);
  return tree ? requiredLiterals(tree) : undefined;
}
