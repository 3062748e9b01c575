// npx tsx bench/prefilter.bench.ts [--events N] [--runs R] [--jobs NAME,NAME...]
// What the record prefilter saves on the topic reader's decode: ns per record of
//   decode:              decodeRecord (UTF-8 decode + JSON.parse) of every record, as the runtime does now;
//   prefilter + decode:  recordPrefilter's test first, decodeRecord only of the records it does not skip;
//   prefilter alone:     the test alone, for what it costs on its own.
// Seed-like records (bench/workload/events.ts) as kafkajs hands them (one Buffer each), the three
// benchmark jobs' filters (or the jobs/ files named by --jobs). One core, no broker. Runs
// interleave, in alternating order each round, after one warm-up round; prints the median of each
// and its fastest run (other work on the machine only ever adds time to a run).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { roundOrder } from './compare/checkouts.js';
import { median } from './compare/combine-runs.js';
import { exampleJobFiles } from './compare/gamepipe.js';
import { eventStream } from './workload/events.js';
import { loadJobs } from '../src/dsl/load-jobs.js';
import { decodeRecord, ReusableRecordMeta } from '../src/runtime/processing/record-decoder.js';
import { recordPrefilter } from '../src/runtime/prefilter/record-prefilter.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' }, runs: { type: 'string', default: '7' }, jobs: { type: 'string' } } });
const events = Number(values.events);
const runs = Number(values.runs);

const JOBS_DIR = fileURLToPath(new URL('../jobs/', import.meta.url));
const files = values.jobs ? values.jobs.split(',').map((name) => join(JOBS_DIR, `${name}.job.yaml`)) : Object.values(exampleJobFiles());
const { jobs, diagnostics } = await loadJobs(files);
if (jobs.length !== files.length) throw new Error(`job files do not check: ${diagnostics.map((d) => d.message).join('; ')}`);
const skip = recordPrefilter(jobs);
if (!skip) throw new Error('the benchmark jobs give no prefilter');

const records: Buffer[] = [];
for (const event of eventStream(events, 1)) records.push(Buffer.from(JSON.stringify(event)));

const meta = new ReusableRecordMeta();
// Each returns a count that depends on every record's work, so none of it can be left out.
const contenders = [
  {
    label: 'decode',
    run: () => {
      let objects = 0;
      for (let i = 0; i < records.length; i++) if ('event' in decodeRecord(records[i]!, meta)) objects++;
      return objects;
    },
  },
  {
    label: 'prefilter + decode',
    run: () => {
      let objects = 0;
      for (let i = 0; i < records.length; i++) {
        const value = records[i]!;
        if (skip(value)) continue;
        if ('event' in decodeRecord(value, meta)) objects++;
      }
      return objects;
    },
  },
  {
    label: 'prefilter alone',
    run: () => {
      let skipped = 0;
      for (let i = 0; i < records.length; i++) if (skip(records[i]!)) skipped++;
      return skipped;
    },
  },
];

const taken = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
const counts = new Map<string, number>();
for (let round = 0; round <= runs; round++) {
  for (const { label, run } of roundOrder(contenders, round)) {
    const t0 = performance.now();
    counts.set(label, run());
    const ns = ((performance.now() - t0) * 1e6) / records.length;
    if (round > 0) taken.get(label)!.push(ns);
  }
}

const skipped = counts.get('prefilter alone')!;
console.log(
  `${records.length} records, jobs ${jobs.map((j) => j.spec.job).join(', ')}; ${runs} interleaved runs each after one warm-up; ` +
    `node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
console.log(`skip rate: ${((skipped / records.length) * 100).toFixed(1)}% (${skipped} records skipped)`);
for (const { label } of contenders) {
  const t = taken.get(label)!;
  console.log(
    `  ${label.padEnd(20)} ${median(t)!.toFixed(0).padStart(5)} ns/record median   fastest ${Math.min(...t).toFixed(0).padStart(5)}   (runs: ${t.map((x) => x.toFixed(0)).join(', ')}; count ${counts.get(label)})`,
  );
}
