// `npm run bench:parquet -- --plans`: parquet-wasm write plans (per-column dictionary, encoding,
// statistics; parquet-write-plan.ts) compared on batches of the three example jobs, built as the
// runtime builds them: seed-like events filtered and projected by the compiled jobs, raw_event
// copied in as the record's bytes, record timestamps one per produce request as kafkajs sets them.
// Each plan encodes through the real worker thread; CPU is the process's (both threads).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Table } from 'apache-arrow';
import type { OutputValue } from '../src/dsl/job-spec.js';
import { loadJobs } from '../src/dsl/load-jobs.js';
import { ColumnBatch } from '../src/runtime/batch/column-batch.js';
import { parquetWasmEncoder } from '../src/parquet/parquet-wasm-encoder.js';
import {
  DEFAULT_WRITE_PLAN,
  writePlanFor,
  type ParquetColumnPlan,
  type ParquetWritePlan,
} from '../src/parquet/parquet-write-plan.js';
import { medianOfNumbers } from './compare/combine-runs.js';
import { eventStream } from './workload/events.js';

const JOBS = ['sword_purchases', 'horse_purchases', 'guild_actions'];
const ROOT = fileURLToPath(new URL('../', import.meta.url));
// bench/workload/producer.ts sends 4000 records a request over 2 partitions; kafkajs stamps
// each request's records with one Date.now().
const RECORDS_PER_TIMESTAMP = 2000;
const BASE_TS = Date.parse('2026-11-22T15:00:00.000Z');

/** Per job, its output rows cut into ColumnBatches of `batchRows`, `rows` in all. */
async function jobBatches(rows: number, batchRows: number): Promise<{ job: string; batches: ColumnBatch[] }[]> {
  const { jobs } = await loadJobs(JOBS.map((j) => join(ROOT, 'jobs', `${j}.job.yaml`)));
  const out = jobs.map((job) => ({ job, batches: [] as ColumnBatch[], row: new Array<OutputValue | Uint8Array>(job.columns.length).fill(null), taken: 0 }));
  let offset = 0;
  for (const event of eventStream(Number.MAX_SAFE_INTEGER, 1)) {
    const value = Buffer.from(JSON.stringify(event));
    const meta = { topic: 'events', partition: 0, offset: String(offset), timestamp: BASE_TS + Math.floor(offset / RECORDS_PER_TIMESTAMP) * 20, key: event.event_id ?? null, raw: value.toString() };
    offset++;
    for (const o of out) {
      if (o.taken >= rows || !o.job.filter(event, meta) || o.job.project(event, meta, o.row as OutputValue[]) !== undefined) continue;
      // As RecordLoop: the record's own bytes go into raw_event.
      if (o.job.spec.include.includes('raw_event')) o.row[o.job.spec.schema.length] = value;
      if (o.taken % batchRows === 0) o.batches.push(new ColumnBatch(o.job.columns));
      o.batches.at(-1)!.append(o.row);
      o.taken++;
    }
    if (out.every((o) => o.taken >= rows)) break;
  }
  return out.map((o) => ({ job: o.job.spec.job, batches: o.batches }));
}

/** A plan that sets `column` on the named columns a table has, the writer's defaults elsewhere. */
function naming(names: string[], column: Omit<ParquetColumnPlan, 'name'>) {
  return (table: Table): ParquetWritePlan => ({
    columns: table.schema.fields.filter((f) => names.includes(f.name)).map((f) => ({ name: f.name, ...column })),
  });
}

// What a per-job oracle would pick for the example jobs: no dictionary on their nearly unique
// columns, with writePlanFor's delta encodings and long-string rule.
const UNIQUE_BY_NAME = (table: Table): ParquetWritePlan => ({
  columns: writePlanFor(table).columns.map(({ dictionary: _, ...c }) =>
    ['raw_event', 'event_id', 'event_ts'].includes(c.name) ? { ...c, dictionary: false } : c,
  ),
});
// (Plans built on writePlanFor pay for its sampling, like the real one.)
// The simpler rule considered: no sampling, a 128 KiB dictionary limit for every column instead.
const LIMIT_128K = (table: Table): ParquetWritePlan => ({
  dictionaryPageBytes: 128 << 10,
  columns: writePlanFor(table).columns.map(({ dictionary: _, ...c }) => c),
});
const without = (key: 'encoding' | 'statistics') => (table: Table) => ({
  columns: writePlanFor(table).columns.map((c) => ({ ...c, [key]: undefined })),
});

const PLANS: [string, (table: Table) => ParquetWritePlan][] = [
  ['writer defaults (before)', () => DEFAULT_WRITE_PLAN],
  ['raw_event: no dictionary', naming(['raw_event'], { dictionary: false })],
  ['raw_event, event_id: no dictionary', naming(['raw_event', 'event_id'], { dictionary: false })],
  ['raw_event: chunk statistics only', naming(['raw_event'], { statistics: 'chunk' })],
  ['raw_event: no statistics', naming(['raw_event'], { statistics: 'none' })],
  ['raw_event, event_id: no dict, no stats', naming(['raw_event', 'event_id'], { dictionary: false, statistics: 'none' })],
  ['oracle: unique columns by name', UNIQUE_BY_NAME],
  ['128 KiB dictionary limit, no sampling', LIMIT_128K],
  ['writePlanFor without delta encodings', without('encoding')],
  ['writePlanFor without the stats rule', without('statistics')],
  ['writePlanFor (after)', writePlanFor],
];

function seconds(work: () => unknown): number {
  const t0 = performance.now();
  work();
  return (performance.now() - t0) / 1000;
}

/**
 * What a lower dictionary limit would cost a column the example jobs lack: 20,000 player names
 * repeating through the batch, whose dictionary (~300 KiB) fits the writer's 1 MiB.
 */
async function midCardinality(rows: number, runs: number): Promise<void> {
  const batch = new ColumnBatch([{ name: 'player', type: 'string' }]);
  for (let i = 0; i < rows; i++) {
    // A cheap integer hash: names in no order a compressor could exploit.
    let x = Math.imul(i + 1, 0x9e3779b1) >>> 0;
    x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0;
    batch.append([`player-${String((x ^ (x >>> 13)) % 20_000).padStart(8, '0')}`]);
  }
  const table = batch.toArrowTable();
  console.log(`\n${rows} rows of 'player', 20,000 distinct names (not in the example jobs):`);
  const plans = [PLANS[0]!, PLANS.find(([n]) => n.startsWith('128 KiB'))!, PLANS.at(-1)!];
  const taken = plans.map(() => ({ cpu: [] as number[], bytes: 0 }));
  for (let run = 0; run <= runs; run++) {
    for (const [i, [, plan]] of plans.entries()) {
      const encoder = parquetWasmEncoder('snappy', plan);
      const cpu0 = process.cpuUsage();
      taken[i]!.bytes = (await encoder.encode(table)).byteLength;
      const cpu = process.cpuUsage(cpu0);
      if (run > 0) taken[i]!.cpu.push((cpu.user + cpu.system) / 1000);
    }
  }
  plans.forEach(([name], i) =>
    console.log(`  ${name.padEnd(40)} ${medianOfNumbers(taken[i]!.cpu).toFixed(0).padStart(8)} cpu ms ${(taken[i]!.bytes / 2 ** 20).toFixed(2).padStart(7)} MiB`),
  );
}

export async function comparePlans(rows: number, runs: number, batchSizes: number[]): Promise<void> {
  console.log(`parquet-wasm-snappy write plans: ${JOBS.join(', ')}, ${rows} rows each; ${runs} interleaved runs (after one warm-up), medians`);
  console.log(`load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const encoders = PLANS.map(([name, plan]) => ({ name, encoder: parquetWasmEncoder('snappy', plan) }));
  for (const batchRows of batchSizes) {
    const jobs = await jobBatches(rows, batchRows);
    const tables = jobs.flatMap(({ batches }) => batches.map((b) => b.toArrowTable()));
    const total = tables.reduce((n, t) => n + t.numRows, 0);
    const taken = new Map(encoders.map((e) => [e.name, { cpu: [] as number[], wall: [] as number[], bytes: 0, perJob: [] as number[] }]));
    for (let run = 0; run <= runs; run++) {
      // Rotate the order each run so no plan always follows the same one.
      const order = encoders.map((_, i) => encoders[(i + run) % encoders.length]!);
      for (const { name, encoder } of order) {
        const cpu0 = process.cpuUsage();
        const wall0 = performance.now();
        const perJob: number[] = [];
        for (const { batches } of jobs) {
          let bytes = 0;
          for (const batch of batches) bytes += (await encoder.encode(batch.toArrowTable())).byteLength;
          perJob.push(bytes);
        }
        const cpu = process.cpuUsage(cpu0);
        const t = taken.get(name)!;
        if (run === 0) continue;
        t.cpu.push((cpu.user + cpu.system) / 1000);
        t.wall.push(performance.now() - wall0);
        t.perJob = perJob;
        t.bytes = perJob.reduce((a, b) => a + b, 0);
      }
    }
    // Warm by now: the median of five calls per batch.
    const sampled = medianOfNumbers(tables.flatMap((t) => Array.from({ length: 5 }, () => seconds(() => writePlanFor(t)))));
    const before = taken.get(PLANS[0]![0])!;
    console.log(`\n${total} rows in batches of ${batchRows} (${tables.length} files); encode = tableToIPC + worker, all three jobs:`);
    console.log(`  (writePlanFor itself: ${(sampled * 1000).toFixed(2)} ms a batch on the calling thread, included below)`);
    console.log(`  ${'plan'.padEnd(40)} ${'cpu ms'.padStart(8)} ${'vs before'.padStart(10)} ${'wall ms'.padStart(8)} ${'MiB'.padStart(7)}   MiB per job (${jobs.map((j) => j.job).join(', ')})`);
    for (const [name] of PLANS) {
      const t = taken.get(name)!;
      const cpu = medianOfNumbers(t.cpu);
      const change = ((cpu / medianOfNumbers(before.cpu) - 1) * 100).toFixed(1);
      console.log(
        `  ${name.padEnd(40)} ${cpu.toFixed(0).padStart(8)} ${`${change}%`.padStart(10)} ${medianOfNumbers(t.wall).toFixed(0).padStart(8)} ${(t.bytes / 2 ** 20).toFixed(2).padStart(7)}   ${t.perJob.map((b) => (b / 2 ** 20).toFixed(2)).join(' / ')}`,
      );
    }
  }
  await midCardinality(rows, runs);
  console.log(`\nload average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
