/**
 * Runs async work one piece at a time, in the order it was handed in.
 *
 * Error semantics: `run` settles as its own work settles (value or error). A piece of work that
 * throws or rejects does not stop the queue: the next piece starts once it settled, as after a
 * success. So every caller sees its own outcome, and no failure is handed to anyone else.
 */
export class SerialQueue {
  /** Settles (never rejects) once every piece of work handed in so far has settled. */
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` after every piece of work handed in before it has settled. */
  run<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => {});
    return result;
  }

  /** Settles once everything handed in so far has settled; throws nothing. */
  idle(): Promise<void> {
    return this.tail.then(() => {});
  }
}
