// Measures the batch build and each Parquet encoder on seed-like rows (a horse_purchases job).
// Usage: npm run bench:parquet -- [--rows 200000] [--runs 5] [--batch-rows 200000,50000,20000]
// With --plans: parquet-wasm's per-column write plans instead, on the three example jobs' batches
// (see bench/parquet-writers.md): npm run bench:parquet -- --plans [--rows 200000] [--runs 9] [--batch-rows 200000,50000]
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as arrow from 'apache-arrow';
import type { OutputValue } from '../src/dsl/job-spec.js';
import { ColumnBatch, type BatchColumn } from '../src/runtime/batch/column-batch.js';
import { parquetEncoderByName, parquetEncoderNames } from '../src/parquet/parquet-encoder.js';
import { comparePlans } from './parquet-writers.plans.js';
import { medianOfNumbers } from './compare/combine-runs.js';

const COLUMNS: BatchColumn[] = [
  { name: 'event_type', type: 'string' },
  { name: 'size', type: 'string' },
  { name: 'speed', type: 'double' },
  { name: 'quantity', type: 'int' },
  { name: 'host', type: 'string' },
  { name: 'user_agent', type: 'string' },
  { name: 'event_id', type: 'string' },
  { name: 'event_ts', type: 'timestamp' },
  { name: 'purchased_at', type: 'timestamp' },
  { name: 'raw_event', type: 'string' },
];

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} wants a positive integer`);
  return value;
}

function flagList(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const values = (process.argv[i + 1] ?? '').split(',').map(Number);
  if (!values.every((v) => Number.isInteger(v) && v > 0)) throw new Error(`--${name} wants positive integers, comma-separated`);
  return values;
}

/** Rows shaped like the seed's horse purchases: few event types and sizes, ~100 hosts, random ids. */
function seedLikeRows(count: number): OutputValue[][] {
  const eventTypes = ['purchase_horse', 'purchase_horse', 'purchase_horse', 'purchase_sword', 'join_guild'];
  const sizes = ['small', 'medium', 'large'];
  const hosts = Array.from({ length: 100 }, (_, i) => `game-api-${i}.eu-west-1.internal:5000`);
  const agents = Array.from({ length: 12 }, (_, i) => `Mozilla/5.0 (X11; Linux x86_64) GameClient/${i}.4.${i * 3}`);
  const start = Date.UTC(2024, 5, 1);
  const rows: OutputValue[][] = [];
  for (let i = 0; i < count; i++) {
    const eventType = eventTypes[i % eventTypes.length]!;
    const size = sizes[(i * 7) % 3]!;
    const speed = Math.round(Math.random() * 10_000) / 100;
    const quantity = 1 + (i % 9);
    const host = hosts[Math.floor(Math.random() * hosts.length)]!;
    const agent = agents[i % agents.length]!;
    const id = randomUUID();
    const ts = start + i * 5 + Math.floor(Math.random() * 3);
    const raw = JSON.stringify({
      event_type: eventType,
      speed: String(speed),
      size,
      quantity: String(quantity),
      Host: host,
      'User-Agent': agent,
      Accept: '*/*',
      'Content-Type': 'application/json',
      event_id: id,
      remote_addr: `10.0.${i % 250}.${(i * 13) % 250}`,
    });
    rows.push([eventType, size, speed, quantity, host, agent, id, ts, ts - 40, raw]);
  }
  return rows;
}

/** The comparison strategy: apache-arrow's own builders, one per column. */
function buildWithArrowBuilders(rows: OutputValue[][]): arrow.Table {
  const probe = new ColumnBatch(COLUMNS).toArrowTable().schema;
  const builders = probe.fields.map((f) => arrow.makeBuilder({ type: f.type, nullValues: [null] }));
  for (const row of rows) {
    for (let c = 0; c < builders.length; c++) builders[c]!.append(row[c]);
  }
  const vectors = Object.fromEntries(probe.fields.map((f, c) => [f.name, builders[c]!.finish().toVector()]));
  return new arrow.Table(vectors);
}

function fillColumnBatch(batch: ColumnBatch, rows: OutputValue[][], from = 0, to = rows.length): ColumnBatch {
  batch.reset();
  const reused: OutputValue[] = new Array(COLUMNS.length);
  for (let r = from; r < to; r++) {
    const row = rows[r]!;
    // The runtime reuses one row array per job; copy into one to measure the same access pattern.
    for (let c = 0; c < row.length; c++) reused[c] = row[c]!;
    batch.append(reused);
  }
  return batch;
}

type Timing = { wall: number; cpu: number };

/** Wall-clock and process CPU (user + system, all threads) seconds since `start`. */
function elapsed(start: { wall: number; cpu: NodeJS.CpuUsage }): { wall: number; cpu: number } {
  const cpu = process.cpuUsage(start.cpu);
  return { wall: (performance.now() - start.wall) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

function now() {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}

/** Runs `work`, returning its result and wall-clock and CPU seconds (CPU stays honest on a busy machine). */
function seconds<T>(work: () => T): [T, { wall: number; cpu: number }] {
  const start = now();
  const result = work();
  return [result, elapsed(start)];
}

async function main(): Promise<void> {
  const rowCount = flag('rows', 200_000);
  const runs = flag('runs', 5);
  const rows = seedLikeRows(rowCount);
  const rawBytes = rows.reduce((sum, r) => sum + Buffer.byteLength(r[9] as string), 0);
  console.log(
    `parquet writers: ${rowCount} rows x ${COLUMNS.length} columns, raw_event ${(rawBytes / rowCount).toFixed(0)} bytes avg, ${runs} runs, medians`,
  );
  console.log(`machine: ${os.cpus().length} cpus (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);

  const freshTimes: Timing[] = [];
  const reusedTimes: Timing[] = [];
  const builderTimes: Timing[] = [];
  const tableTimes: Timing[] = [];
  const reusedBatch = new ColumnBatch(COLUMNS);
  for (let run = 0; run < runs; run++) {
    freshTimes.push(seconds(() => fillColumnBatch(new ColumnBatch(COLUMNS), rows))[1]);
    reusedTimes.push(seconds(() => fillColumnBatch(reusedBatch, rows))[1]);
    tableTimes.push(seconds(() => reusedBatch.toArrowTable())[1]);
    const [table, builders] = seconds(() => buildWithArrowBuilders(rows));
    if (table.numRows !== rowCount) throw new Error('arrow builders lost rows');
    builderTimes.push(builders);
  }
  const rate = (s: number) => `${Math.round(rowCount / s).toLocaleString('en-US')} rows/s`;
  const cost = (times: Timing[]) => {
    const wall = medianOfNumbers(times.map((t) => t.wall));
    const cpu = medianOfNumbers(times.map((t) => t.cpu));
    return `${rate(wall).padStart(16)} ${((wall / rowCount) * 1e6).toFixed(2).padStart(6)} us/row wall ${((cpu / rowCount) * 1e6).toFixed(2).padStart(6)} us/row cpu`;
  };
  console.log(`${'batch build, new ColumnBatch per batch'.padEnd(44)} ${cost(freshTimes)}`);
  console.log(`${'batch build, ColumnBatch reused (reset())'.padEnd(44)} ${cost(reusedTimes)}`);
  console.log(`${'batch build, apache-arrow builders'.padEnd(44)} ${cost(builderTimes)}`);
  console.log(`${'ColumnBatch.toArrowTable()'.padEnd(44)} ${(medianOfNumbers(tableTimes.map((t) => t.wall)) * 1000).toFixed(2)} ms`);

  const sweep = flagList('batch-rows', [rowCount, 50_000, 20_000]);
  for (const batchRows of sweep) {
    console.log(`\nencoders, ${rowCount} rows in batches of ${batchRows} (one reused ColumnBatch):`);
    for (const name of parquetEncoderNames) {
      // parquetjs-lite takes ~15 s a run; its speed does not depend on the batch size.
      if (name === 'parquetjs-lite' && batchRows !== sweep[0]) continue;
      const encoder = parquetEncoderByName(name);
      const encodeTimes: Timing[] = [];
      const totalTimes: Timing[] = [];
      let bytes = 0;
      for (let run = 0; run < runs; run++) {
        const encode = { wall: 0, cpu: 0 };
        const total = { wall: 0, cpu: 0 };
        bytes = 0;
        for (let from = 0; from < rowCount; from += batchRows) {
          const t0 = now();
          fillColumnBatch(reusedBatch, rows, from, Math.min(from + batchRows, rowCount));
          const t1 = now();
          bytes += (await encoder.encode(reusedBatch.toArrowTable())).byteLength;
          const [e, t] = [elapsed(t1), elapsed(t0)];
          encode.wall += e.wall;
          encode.cpu += e.cpu;
          total.wall += t.wall;
          total.cpu += t.cpu;
        }
        encodeTimes.push(encode);
        totalTimes.push(total);
      }
      console.log(`  ${name.padEnd(20)} encode       ${cost(encodeTimes)}   files ${bytes.toLocaleString('en-US')} bytes`);
      console.log(`  ${''.padEnd(20)} build+encode ${cost(totalTimes)}`);
    }
  }
}

if (process.argv.includes('--plans')) await comparePlans(flag('rows', 200_000), flag('runs', 9), flagList('batch-rows', [200_000, 50_000]));
else await main();
