import type { JobSpec } from './job-spec.js';

// A job's topics: one (`source.topic`), a list (`source.topics`), or every topic of the cluster
// whose whole name a regular expression matches (`source.topic_pattern`), as Kafka's own pattern
// subscription does. Internal topics (`__consumer_offsets`, `__transaction_state`) never match.

/** The pattern as a RegExp that must match a whole topic name. Throws a SyntaxError on a bad pattern. */
export function topicRegExp(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/** Why `pattern` does not compile, or undefined when it does. */
export function topicPatternProblem(pattern: string): string | undefined {
  try {
    // Alone first, so the message quotes the pattern as written; then as it is matched.
    new RegExp(pattern);
    topicRegExp(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
  }
}

/** The topics of `cluster` a pattern job reads, sorted. */
export function matchingTopics(pattern: string, cluster: Iterable<string>): string[] {
  const re = topicRegExp(pattern);
  return [...cluster].filter((t) => !t.startsWith('__') && re.test(t)).sort();
}

/** The topics a job reads, when they do not depend on the cluster; undefined for a pattern job. */
export function fixedTopics(spec: Pick<JobSpec, 'source'>): string[] | undefined {
  if (spec.source.topicPattern !== undefined) return undefined;
  return spec.source.topics ?? [spec.source.topic];
}
