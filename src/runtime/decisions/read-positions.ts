/** What the topic reader's consumer must do for one partition. */
export type PositionStep =
  | { type: 'pause'; partition: number }
  | { type: 'resume'; partition: number }
  | { type: 'seek'; partition: number; offset: number };

/**
 * Where the topic reader reads each partition, given what the jobs it feeds need: a partition no
 * job reads is paused, and each one is read from the lowest offset any job needs next. Kept apart
 * from the consumer so the bookkeeping can be checked without Kafka; the reader applies the steps.
 */
export class ReadPositions<Job> {
  /** Per partition, the offset each job reading it needs next (as of its last assignment or fence). */
  private readonly wants = new Map<number, Map<Job, number>>();
  /** Per partition, where the consumer reads next. */
  private readonly position = new Map<number, number>();
  private readonly paused = new Set<number>();
  private assigned: number[] | undefined;

  /**
   * The reader reads `partitions` from now on, pointed afresh: where it was reading any of them is
   * forgotten, so each is pointed again at what the jobs need.
   */
  assign(partitions: number[]): PositionStep[] {
    this.assigned = partitions;
    for (const p of partitions) this.position.delete(p);
    this.paused.clear();
    return partitions.flatMap((p) => this.sync(p));
  }

  /**
   * The topic now has `partitions`: those new to the reader are pointed at what the jobs need,
   * and the others read on from where they are (their wants date from the jobs' assignments, so
   * pointing them again would read everything since once more).
   */
  added(partitions: number[]): PositionStep[] {
    const known = new Set(this.assigned ?? []);
    this.assigned = partitions;
    return partitions.filter((p) => !known.has(p)).flatMap((p) => this.sync(p));
  }

  /** `job` now reads `partition` from `offset`, or (undefined) no longer reads it. */
  want(job: Job, partition: number, offset: number | undefined): PositionStep[] {
    let wanting = this.wants.get(partition);
    if (!wanting) this.wants.set(partition, (wanting = new Map()));
    if (offset === undefined) wanting.delete(job);
    else wanting.set(job, offset);
    return this.sync(partition);
  }

  /**
   * The consumer stopped reading `partition` (its log ended below the position): it is pointed
   * again at what the jobs need, even where that is the offset it read at before.
   */
  lost(partition: number): PositionStep[] {
    this.position.delete(partition);
    return this.sync(partition);
  }

  /** The consumer delivered `partition` up to `next` (exclusive). */
  read(partition: number, next: number): void {
    this.position.set(partition, next);
  }

  private sync(partition: number): PositionStep[] {
    if (!this.assigned?.includes(partition)) return [];
    let min: number | undefined;
    for (const offset of this.wants.get(partition)?.values() ?? []) if (min === undefined || offset < min) min = offset;
    if (min === undefined) {
      if (this.paused.has(partition)) return [];
      this.paused.add(partition);
      return [{ type: 'pause', partition }];
    }
    const steps: PositionStep[] = [];
    if (this.paused.delete(partition)) steps.push({ type: 'resume', partition });
    if (this.position.get(partition) !== min) {
      this.position.set(partition, min);
      steps.push({ type: 'seek', partition, offset: min });
    }
    return steps;
  }
}
