import type { CompiledJob } from '../../dsl/job-spec.js';
import { scanJson } from './json-scan.js';
import { jobLiterals } from './job-literals.js';
import { valueBytes } from './value-bytes.js';
import { ValueTable } from './value-table.js';

/** True when no job can accept the record, so decoding it can be skipped. Never throws. */
export type RecordSkipTest = (value: Buffer | null) => boolean;

/**
 * Returns a test that is true only when no job can accept the record, so decoding it can be
 * skipped; undefined when the jobs' predicates give no such test. `jobs` are all the jobs a
 * record of the topic is offered to.
 *
 * A record is skipped only when processing it would give every job "a JSON object, dropped by
 * the filter": it fits every job's max_record_bytes (a larger one is a bad record), it is exactly
 * what JSON.parse reads as an object (anything else is a bad record, which the full path must
 * report), it has no backslash (an escape could spell a value in other bytes), and none of its
 * string values is one that some job requires (requiredLiterals).
 *
 * A skipped record is still a record read: its offset and bytes count as for any other. The test
 * keeps a hint for speed only (see below), so build one per topic reader. It pays only where a
 * large share of records is skipped (see decisions/prefilter-gate.ts).
 */
export function recordPrefilter(jobs: readonly CompiledJob[]): RecordSkipTest | undefined {
  if (jobs.length === 0) return undefined;
  const wanted: Buffer[] = [];
  let maxBytes = Infinity;
  for (const job of jobs) {
    const literals = jobLiterals(job);
    if (!literals) return undefined;
    for (const literal of literals) {
      const bytes = valueBytes(literal);
      if (!bytes) return undefined;
      wanted.push(bytes);
    }
    maxBytes = Math.min(maxBytes, job.spec.maxRecordBytes);
  }
  const table = new ValueTable(wanted);
  // Where the last record some job wants held its wanted value. Records of one topic mostly share
  // a layout, so the next such record likely holds one at the same offset, and a glance there
  // spares it the scan. That glance can only ever keep a record from being skipped, never make
  // one skipped, so a record it misjudges costs a decode, not a wrong answer.
  let hint = -1;
  return (value) => {
    if (value === null || value.length > maxBytes) return false;
    if (hint >= 0 && table.quotedAt(value, hint)) return false;
    const scan = scanJson(value, table);
    if (scan === 'may-hold' && table.lastFoundAt >= 0) hint = table.lastFoundAt;
    return scan === 'object';
  };
}
