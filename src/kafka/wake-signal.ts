/**
 * Wakes every waiter at once: the fetch loops sleep on one of these between polls and backoffs,
 * and a seek, a resume, new metadata or close cuts their sleep short.
 */
export class WakeSignal {
  private waiters = new Set<() => void>();

  /** Resolves after `ms`, or at the next `wake`, whichever comes first. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const done of waiters) done();
  }
}
