/** Raised when a job with `on_bad_record: fail` meets a bad record. */
export class BadRecordError extends Error {
  constructor(
    readonly job: string,
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly reason: string,
  ) {
    super(`job ${job}: bad record at ${topic}/${partition}@${offset}: ${reason}`);
    this.name = 'BadRecordError';
  }
}
