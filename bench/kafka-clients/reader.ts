// What every client under test does: read a topic from the beginning up to known end offsets and
// hand each record to `take`, which does the per-record work gamepipe's topic reader does.

/** One record as the benchmark sees it, whatever client decoded it. */
export type Take = (partition: number, offset: number, value: Buffer | null, timestamp: number) => void;

/** What a client's reader is given. */
export interface ReadOptions {
  topic: string;
  brokers: string[];
  /** partition -> end offset (exclusive); the read is over when every partition got there. */
  ends: Map<number, number>;
  take: Take;
}

/** Reads the topic to its ends, then closes the client. */
export type TopicReader = (options: ReadOptions) => Promise<void>;

/** The gamepipe reader's per-record settings, so no client is handicapped by its defaults. */
export const FETCH = { maxBytesPerPartition: 2 * 1024 * 1024, maxBytes: 8 * 1024 * 1024, maxWaitMs: 50 } as const;

/** Tracks which partitions still have records to read; `done` resolves when none has. */
export class EndTracker {
  private readonly remaining: Set<number>;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly ends: Map<number, number>) {
    this.remaining = new Set([...ends].filter(([, end]) => end > 0).map(([p]) => p));
    if (this.remaining.size === 0) this.resolveDone();
  }

  /** Notes that `partition` was read up to `offset` (inclusive). */
  reached(partition: number, offset: number): void {
    if (offset + 1 >= (this.ends.get(partition) ?? 0) && this.remaining.delete(partition) && this.remaining.size === 0) this.resolveDone();
  }
}
