/**
 * Raised when a job must stop at a record: one with `on_bad_record: fail` met a bad record, or a
 * record would take its batch past a limit of the job (`line` then says which). Either way the job
 * commits what came before the record and stops there, and is not started again: the same records
 * would stop it again.
 */
export class BadRecordError extends Error {
  constructor(
    readonly job: string,
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly reason: string,
    readonly line?: string,
  ) {
    super(line ?? `job ${job}: bad record at ${topic}/${partition}@${offset}: ${reason}`);
    this.name = 'BadRecordError';
  }
}
