import { coercionFor } from './coerce-typed.js';
import { typeText } from './column-types.js';
import { sameOutput, showOutput } from './output-text.js';
import type { CompiledJob, OutputValue, RecordMeta } from './job-spec.js';

/** The outcome of one `tests:` entry of a job file. */
export interface TestResult {
  job: string;
  file: string;
  name: string;
  passed: boolean;
  /** Why it failed, one line per difference or problem (empty when it passed). */
  diff: string[];
}

/** The record time tests run at: 2026-01-01T00:00:00Z, so `$timestamp` expectations are stable. */
export const TEST_TIMESTAMP = Date.UTC(2026, 0, 1);

/** The Kafka metadata a test event is given: the job's topic, partition 0, offset 0, key = event_id. */
export function testMeta(job: CompiledJob, event: Record<string, unknown>): RecordMeta {
  const key = typeof event.event_id === 'string' ? event.event_id : null;
  return { topic: job.spec.source.topic, partition: 0, offset: '0', timestamp: TEST_TIMESTAMP, key, raw: JSON.stringify(event) };
}


/** Runs a job's tests through its compiled filter and projection, the ones the runtime uses. */
export function runJobTests(job: CompiledJob): TestResult[] {
  return job.spec.tests.map((test) => {
    const result = (diff: string[]): TestResult => ({ job: job.spec.job, file: job.spec.file, name: test.name, passed: diff.length === 0, diff });
    const meta = testMeta(job, test.event);
    const kept = job.filter(test.event, meta);
    const row: OutputValue[] = new Array(job.columns.length).fill(null);
    const bad = kept ? job.project(test.event, meta, row) : undefined;
    const rowText = () => job.columns.map((c, i) => `${c.name}=${showOutput(row[i], c.type)}`).join(', ');
    if (test.expect === 'dropped') {
      return result(kept ? [`expected the event to be dropped, but the filter kept it${bad ? ` (and it is a bad record: ${bad})` : ` -> ${rowText()}`}`] : []);
    }
    if (!kept) return result(['expected a row, but the filter dropped the event']);
    if (bad) return result([`expected a row, but the event is a bad record: ${bad}`]);
    const diff: string[] = [];
    for (const [name, expected] of Object.entries(test.expect)) {
      const i = job.columns.findIndex((c) => c.name === name);
      if (i < 0) {
        diff.push(`${name}: not an output column`);
        continue;
      }
      const type = job.columns[i].type;
      // Expectations are read as the column's type, so `quantity: 1` matches a long's 1n and
      // `purchased_at: "2026-01-01T00:00:00Z"` matches epoch milliseconds.
      const want = coercionFor(type)(expected);
      if (want === undefined) diff.push(`${name}: expected value ${showOutput(expected)} is not a valid ${typeText(type)}`);
      else if (!sameOutput(want, row[i])) diff.push(`${name}: expected ${showOutput(want, type)}, got ${showOutput(row[i], type)}`);
    }
    return result(diff);
  });
}
