/** One point of a job's rows-per-second chart: Unix time in seconds, and the rate since the sample before. */
export interface RatePoint {
  t: number;
  rowsPerSecond: number;
}

interface LastSample {
  at: number;
  rows: number;
  /** Where the count came from; counts from different sources are never subtracted. */
  source: string;
}

/** Rows per second per job, from running totals sampled every few seconds, kept for `windowMs`. */
export class RateHistory {
  private readonly last = new Map<string, LastSample>();
  private readonly points = new Map<string, RatePoint[]>();

  constructor(private readonly windowMs = 10 * 60_000) {}

  /** Records a job's running total of rows at time `at` (ms). */
  record(job: string, rows: number, source: string, at = Date.now()): void {
    const before = this.last.get(job);
    this.last.set(job, { at, rows, source });
    // A runner restart resets its counters; a changed source counts differently: start again from here.
    if (!before || before.source !== source || rows < before.rows || at <= before.at) return;
    const list = this.points.get(job) ?? [];
    list.push({ t: at / 1000, rowsPerSecond: ((rows - before.rows) * 1000) / (at - before.at) });
    while (list.length && list[0]!.t * 1000 < at - this.windowMs) list.shift();
    this.points.set(job, list);
  }

  series(job: string): RatePoint[] {
    return this.points.get(job) ?? [];
  }
}
