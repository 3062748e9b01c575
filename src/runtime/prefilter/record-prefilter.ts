import type { CompiledJob } from '../../dsl/job-spec.js';
import { isJsonObject } from './json-shape.js';
import { jobLiterals } from './job-literals.js';
import { quotedNeedle } from './needle.js';

/** True when no job can accept the record, so decoding it can be skipped. Never throws. */
export type RecordSkipTest = (value: Buffer | null) => boolean;

const BACKSLASH = 0x5c;

/**
 * Returns a test that is true only when no job can accept the record, so decoding it can be
 * skipped; undefined when the jobs' predicates give no such test. `jobs` are all the jobs a
 * record of the topic is offered to.
 *
 * A record is skipped only when processing it would give every job "a JSON object, dropped by
 * the filter": it fits every job's max_record_bytes (a larger one is a bad record), it holds none
 * of the jobs' required values as a JSON string token, it has no backslash (an escape could spell
 * a value without its plain bytes), and it is exactly what JSON.parse reads as an object (anything
 * else is a bad record, which the full path must report).
 */
export function recordPrefilter(jobs: readonly CompiledJob[]): RecordSkipTest | undefined {
  if (jobs.length === 0) return undefined;
  const needles = new Map<string, Buffer>();
  let maxBytes = Infinity;
  for (const job of jobs) {
    const literals = jobLiterals(job.spec);
    if (!literals) return undefined;
    for (const literal of literals) {
      const needle = quotedNeedle(literal);
      if (!needle) return undefined;
      needles.set(literal, needle);
    }
    maxBytes = Math.min(maxBytes, job.spec.maxRecordBytes);
  }
  const list = [...needles.values()];
  return (value) => {
    if (value === null || value.length > maxBytes) return false;
    // Most records hold a value some job wants: this is where they leave, after native searches only.
    for (let i = 0; i < list.length; i++) if (value.indexOf(list[i]!) !== -1) return false;
    if (value.indexOf(BACKSLASH) !== -1) return false;
    return isJsonObject(value);
  };
}
