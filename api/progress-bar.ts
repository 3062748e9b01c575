// A one-line progress bar redrawn in place on a TTY stream, at most every 100 ms.

/** Draws `done/total` as a bar with the rate so far; stop() leaves the final state on its own line. */
export class ProgressBar {
  private done = 0;
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly total: number, private readonly out: NodeJS.WriteStream = process.stderr) {
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  /** Records progress; drawing happens on the timer so the hot loop only stores a number. */
  update(done: number): void {
    this.done = done;
  }

  /** Draws the final state and moves to a new line. */
  stop(): void {
    clearInterval(this.timer);
    this.draw();
    this.out.write('\n');
  }

  private draw(): void {
    const width = 30;
    const share = this.total === 0 ? 1 : this.done / this.total;
    const filled = Math.round(share * width);
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(this.done / seconds) : 0;
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.out.write(`\r[${bar}] ${String(Math.floor(share * 100)).padStart(3)}%  ${this.done}/${this.total}  ${rate} req/s `);
  }
}
