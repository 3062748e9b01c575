// Partitions take turns in runs this long. A job commits all its partitions when one batch is full,
// so every turn leaves each job one part-full batch, flushed as a small file: 16 MiB turns made
// 43% more files and ran 10% slower, 64 MiB turns 3-5% slower (bench/processing-results.md). 256 MiB is 32 batches of the default 8 MiB, and about four
// seconds of reading at the rates measured.
export const FAIR_SHARE_BYTES = 256 * 1024 * 1024;

/**
 * The order partitions are asked in. A broker fills a response in that order, and one batch over
 * the response's limit still comes whole (KIP-74), so a later partition can get nothing at all
 * while an earlier one has a backlog. A partition goes to the back once it got `fairShareBytes`
 * since it last went there (Java's consumer moves it after every answer), and partitions whose
 * answer held no complete batch go first (only the first is sure to get one).
 */
export class FetchOrder {
  private order: number[] = [];
  /** Per partition, bytes delivered since it last went to the back. */
  private readonly servedBytes = new Map<number, number>();

  constructor(private readonly fairShareBytes = FAIR_SHARE_BYTES) {}

  /** The partitions, the one to ask first first. */
  get partitions(): readonly number[] {
    return this.order;
  }

  /** Puts `partition` at the back, unless it has a place already. */
  add(partition: number): void {
    if (this.servedBytes.has(partition)) return;
    this.servedBytes.set(partition, 0);
    this.order.push(partition);
  }

  /**
   * Takes in one answer: `served`, in the answer's order, the partitions that got complete batches
   * and their bytes; `starved`, those that got records but no complete batch.
   */
  answered(served: ReadonlyArray<readonly [partition: number, bytes: number]>, starved: readonly number[]): void {
    const back: number[] = [];
    for (const [partition, bytes] of served) {
      const total = (this.servedBytes.get(partition) ?? 0) + bytes;
      if (total < this.fairShareBytes) {
        this.servedBytes.set(partition, total);
        continue;
      }
      this.servedBytes.set(partition, 0);
      back.push(partition);
    }
    if (starved.length === 0 && back.length === 0) return;
    const rest = this.order.filter((p) => !starved.includes(p) && !back.includes(p));
    this.order = [...starved, ...rest, ...back];
  }
}
