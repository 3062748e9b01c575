/**
 * The longest time each partition went without a commit of `job` within [from, to] (ms since the
 * epoch), from a runner's log lines ('batch committed', with their ISO `time`): the gaps between
 * `from`, each commit inside, and the first commit at or after `to` (or `to` if there is none).
 */
export function longestCommitGaps(logs: Record<string, unknown>[], job: string, from: number, to: number): Map<number, number> {
  const times = new Map<number, number[]>();
  for (const line of logs) {
    if (line.msg !== 'batch committed' || line.job !== job) continue;
    const partition = line.partition as number;
    if (!times.has(partition)) times.set(partition, []);
    times.get(partition)!.push(Date.parse(line.time as string));
  }
  const gaps = new Map<number, number>();
  for (const [partition, all] of times) {
    const sorted = all.sort((a, b) => a - b);
    const inside = sorted.filter((t) => t > from && t < to);
    const end = sorted.find((t) => t >= to) ?? to;
    const points = [from, ...inside, end];
    gaps.set(partition, Math.max(...points.slice(1).map((t, i) => t - points[i]!)));
  }
  return gaps;
}

/** One line: each partition's longest gap in seconds and the longest of all. */
export function describeGaps(what: string, gaps: Map<number, number>): string {
  const parts = [...gaps].sort(([a], [b]) => a - b).map(([p, ms]) => `p${p} ${(ms / 1000).toFixed(1)}s`);
  const longest = Math.max(0, ...gaps.values());
  return `longest gap between commits, ${what}: ${(longest / 1000).toFixed(1)}s (${parts.join(', ')})`;
}

/**
 * For each partition whose leader changed (partition -> when its new leader was seen, ms since the
 * epoch): how long after that the job's first commit of the partition came (undefined if none did).
 */
export function resumeAfterElections(logs: Record<string, unknown>[], job: string, elected: Map<number, number>): Map<number, number | undefined> {
  const resumed = new Map<number, number | undefined>();
  for (const [partition, at] of elected) {
    const after = logs
      .filter((l) => l.msg === 'batch committed' && l.job === job && l.partition === partition)
      .map((l) => Date.parse(l.time as string))
      .filter((t) => t >= at);
    resumed.set(partition, after.length ? Math.min(...after) - at : undefined);
  }
  return resumed;
}

/**
 * One line per fault: the longest commit gap of the partitions whose leader stayed, and for each
 * partition that moved, when its new leader was seen (after the fault began) and how long its
 * first commit took after that.
 */
export function describeFailover(what: string, from: number, stayed: Map<number, number>, elected: Map<number, number>, resumed: Map<number, number | undefined>): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const kept = stayed.size ? `${describeGaps('partitions whose leader stayed', stayed)}` : 'no partition kept its leader';
  const moved = [...elected]
    .sort(([a], [b]) => a - b)
    .map(([p, at]) => `p${p} new leader at +${s(at - from)}, first commit ${resumed.get(p) === undefined ? 'never' : `${s(resumed.get(p)!)} later`}`);
  return `${what}: ${kept}; ${moved.length ? `moved: ${moved.join(', ')}` : 'no partition moved'}`;
}
