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

/** A write Kafka acknowledged: its partition, the offset of its last record, and when the ack came. */
export interface AckedWrite {
  partition: number;
  last: number;
  at: number;
}

/**
 * Per partition, the longest time from the ack of a write within [from, to] to the job's first
 * commit that covers it (a 'batch committed' line whose `offsets` [from, next) end past the
 * write's last record). A write no logged commit covers counts until `end`, when the logs were
 * taken. This is the part of a commit gap that is the job's own: a gap can also be a time in
 * which nothing was written.
 */
export function longestAckToCommit(logs: Record<string, unknown>[], job: string, writes: AckedWrite[], from: number, to: number, end: number): Map<number, number> {
  const commits = logs
    .filter((l) => l.msg === 'batch committed' && l.job === job)
    .map((l) => ({ partition: l.partition as number, next: (l.offsets as number[])[1]!, at: Date.parse(l.time as string) }))
    .sort((a, b) => a.at - b.at);
  const longest = new Map<number, number>();
  for (const write of writes) {
    if (write.at < from || write.at > to) continue;
    const covering = commits.find((c) => c.partition === write.partition && c.next > write.last);
    longest.set(write.partition, Math.max(longest.get(write.partition) ?? 0, (covering?.at ?? end) - write.at));
  }
  return longest;
}

/** What one fault did to a job, for `describeFailover`. */
export interface FailoverFigures {
  /** When the fault began (ms since the epoch). */
  from: number;
  /** Partition -> longest commit gap, for the partitions whose leader stayed. */
  stayed: Map<number, number>;
  /** Partition -> longest time from an ack within the window to the commit covering it, for every partition. */
  ackToCommit: Map<number, number>;
  /** Partition -> when its new leader was seen, for the partitions that moved. */
  elected: Map<number, number>;
  /** Partition -> time from its new leader to its first commit. */
  resumed: Map<number, number | undefined>;
  /** When the logs were taken (ms since the epoch). */
  end: number;
}

/**
 * One line per fault: for the partitions whose leader stayed, the longest gap between commits and
 * the longest time from an ack to its commit; for each partition that moved, when its new leader
 * was seen (after the fault began), how long its first commit took after that, and its longest
 * time from an ack to its commit.
 */
export function describeFailover(what: string, f: FailoverFigures): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const each = (m: Map<number, number>) => `${s(Math.max(0, ...m.values()))} (${[...m].sort(([a], [b]) => a - b).map(([p, ms]) => `p${p} ${s(ms)}`).join(', ')})`;
  const stayedAcks = new Map([...f.ackToCommit].filter(([p]) => f.stayed.has(p)));
  const kept = f.stayed.size ? `leader stayed: longest commit gap ${each(f.stayed)}, longest ack to commit ${each(stayedAcks)}` : 'no partition kept its leader';
  const moved = [...f.elected]
    .sort(([a], [b]) => a - b)
    .map(([p, at]) => {
      const resumed = f.resumed.get(p);
      const acks = f.ackToCommit.get(p);
      const first = resumed === undefined ? `no commit in the ${s(f.end - at)} logged after it` : `first commit ${s(resumed)} later`;
      return `p${p} new leader at +${s(at - f.from)}, ${first}${acks === undefined ? '' : `, longest ack to commit ${s(acks)}`}`;
    });
  return `${what}: ${kept}; ${moved.length ? `moved: ${moved.join(', ')}` : 'no partition moved'}`;
}
