/** How many tested records make up one look at the skip rate. */
const PROBE_RECORDS = 4096;
/**
 * The share of records the prefilter must skip to stay on. It costs a fraction of a decode per
 * record and saves one decode per record it skips, so it pays only where it skips many; the
 * break-even point is measured in bench/prefilter-results.md.
 */
const MIN_SKIP_SHARE = 0.5;
/** Records let through untested after a look that found too few to skip; then it looks again. */
const PAUSE_RECORDS = 65_536;

/**
 * Whether to run the record prefilter on the next record: it stays on while it skips enough of
 * what it tests, and otherwise pauses, then tries again (a topic's mix of events changes). Pure.
 */
export class PrefilterGate {
  private tested = 0;
  private skipped = 0;
  private paused = 0;

  constructor(
    private readonly probe = PROBE_RECORDS,
    private readonly minSkipShare = MIN_SKIP_SHARE,
    private readonly pause = PAUSE_RECORDS,
  ) {}

  /** True when the next record should be tested; call `record` with the test's answer then. */
  shouldTest(): boolean {
    if (this.paused === 0) return true;
    this.paused--;
    return false;
  }

  record(skipped: boolean): void {
    this.tested++;
    if (skipped) this.skipped++;
    if (this.tested < this.probe) return;
    if (this.skipped < this.minSkipShare * this.tested) this.paused = this.pause;
    this.tested = this.skipped = 0;
  }
}
