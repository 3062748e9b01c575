// tsx bench/hotpath.bench.ts [--events N] [--runs R] [--jobs three|all] LABEL=ROOT ...
// The per-record work alone, for several checkouts of gamepipe in one process: decode, filter,
// project and append to column batches of N seed-like records, already fetched, for the example
// jobs (the topic reader's delivery before the processing threads; a processing thread's work,
// unpacking or record batch decoding included, since). No broker, no encoding, no
// files, so a change of a few percent on the hot path shows through the noise that a whole
// `gamepipe-run --once` (bench/hotpath-compare.ts) carries on a shared machine. Checkouts run
// interleaved, in alternating order each round; prints ns per record (wall and process CPU),
// medians and the fastest run (other work on the machine only ever adds time to a run).
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseCheckouts, roundOrder } from './compare/checkouts.js';
import { median } from './compare/combine-runs.js';
import { exampleJobFiles } from './compare/gamepipe.js';
import { encodeRecordBatch } from '../test/support/record-batches.js';
import { eventStream } from './workload/events.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    events: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '7' },
    jobs: { type: 'string', default: 'three' },
  },
});
const events = Number(values.events);
const runs = Number(values.runs);
const PARTITIONS = 2;
// About what one kafkajs fetch holds per partition with the reader's 2 MiB maxBytesPerPartition.
const BATCH = 8000;
// A job seals a partition's batch at sink.max_rows (default 200,000); the bench recycles it then.
const MAX_ROWS = 200_000;

const jobFiles =
  values.jobs === 'all'
    ? readdirSync(join(ROOT, 'jobs')).filter((f) => f.endsWith('.job.yaml')).sort().map((f) => join(ROOT, 'jobs', f))
    : Object.values(exampleJobFiles());

// Records shaped as kafkajs hands them to eachBatch: value and key Buffers, offset and timestamp strings.
type Message = { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: object };
const batches: { partition: number; messages: Message[] }[] = [];
{
  const open: Message[][] = Array.from({ length: PARTITIONS }, () => []);
  let ts = Date.parse('2026-11-22T15:00:00.000Z');
  let i = 0;
  for (const event of eventStream(events, 1)) {
    const partition = i % PARTITIONS;
    const offset = Math.floor(i / PARTITIONS);
    open[partition]!.push({ offset: String(offset), timestamp: String(ts++), key: Buffer.from(event.event_id ?? ''), value: Buffer.from(JSON.stringify(event)), headers: {} });
    if (open[partition]!.length === BATCH) batches.push({ partition, messages: open[partition]!.splice(0) });
    i++;
  }
  for (let p = 0; p < PARTITIONS; p++) if (open[p]!.length > 0) batches.push({ partition: p, messages: open[p]! });
}

/** The messages of one delivery as the Kafka record batches a fetch returns (a producer's batches of 500). */
async function encodeKafkaBatches(messages: Message[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < messages.length; i += 500) {
    const records = messages.slice(i, i + 500).map((m) => ({ key: m.key, value: m.value, timestamp: Number(m.timestamp) }));
    parts.push(await encodeRecordBatch(Number(messages[i]!.offset), records));
  }
  return Buffer.concat(parts);
}

/** One checkout's delivery path, loaded from its own sources. */
async function loadCheckout(root: string) {
  const load = (path: string) => import(pathToFileURL(join(root, path)).href);
  const { loadJobs } = await load('src/dsl/load-jobs.ts');
  const { jobs } = await loadJobs(jobFiles);
  // Since the processing threads: what one thread does with the records the reader hands it
  // (Kafka record batches since the reader's own fetches, packed kafkajs messages before).
  if (existsSync(join(root, 'src/runtime/processing/record-processor.ts'))) {
    const { RecordProcessor } = await load('src/runtime/processing/record-processor.ts');
    // The record batch decoder lives in src/kafka/ now, in src/runtime/fetch/ in older checkouts.
    const decoder = ['src/kafka/record-batches.ts', 'src/runtime/fetch/record-batches.ts'].find((path) => existsSync(join(root, path)));
    const recordsOf = decoder
      ? await (async () => {
          const { decodeRecords } = await load(decoder);
          const encoded = new Map<Message[], Buffer>();
          for (const { messages } of batches) encoded.set(messages, await encodeKafkaBatches(messages));
          return (messages: Message[]) => decodeRecords(encoded.get(messages), 0, []);
        })()
      : await (async () => {
          const { packRecords, UnpackedRecords } = await load('src/runtime/processing/record-pack.ts');
          return (messages: Message[]) => new UnpackedRecords(packRecords(messages, 0).buffer);
        })();
    return () => {
      const processor = new RecordProcessor();
      const ids = jobs.map((job: { spec: unknown; filterTree: unknown }, i: number) => (processor.addJob(i, job.spec, job.filterTree), i));
      for (const id of ids) for (let p = 0; p < PARTITIONS; p++) processor.open(id, p, 0);
      let rows = 0;
      for (const { partition, messages } of batches) {
        const reply = processor.process(0, 'bench', partition, ids, recordsOf(messages));
        for (const b of reply.batches) {
          if (b.rows < MAX_ROWS) continue;
          rows += b.rows + b.rejectedRows;
          processor.seal(0, b.job, partition);
        }
      }
      for (const id of ids) for (let p = 0; p < PARTITIONS; p++) {
        const sealed = processor.seal(0, id, p);
        rows += sealed.rows + sealed.rejectedRows;
      }
      return rows;
    };
  }
  const { TopicReader } = await load('src/runtime/topic-reader.ts');
  const { RecordLoop } = await load('src/runtime/record-loop.ts');
  const { PartitionBuffer } = await load('src/runtime/partition-buffer.ts');
  // deliver() needs no broker: the reader is never started.
  const reader = new TopicReader('bench', { kafka: undefined, log: undefined, once: true });
  return () => {
    const sinks = jobs.map((job: { columns: unknown }) => ({
      job,
      loop: new RecordLoop(job),
      stopped: false,
      buffers: new Map(Array.from({ length: PARTITIONS }, (_, p) => [p, new PartitionBuffer(p, 0, job.columns)])),
      fail: async (err: Error) => {
        throw err;
      },
    }));
    for (const { partition, messages } of batches) {
      reader.deliver(partition, messages, [...sinks]);
      for (const sink of sinks) {
        const buffer = sink.buffers.get(partition)!;
        if (buffer.rows >= MAX_ROWS) buffer.recycle(buffer.seal());
      }
    }
    let rows = 0;
    for (const sink of sinks) for (const b of sink.buffers.values() as Iterable<{ rows: number; rejectedRows: number }>) rows += b.rows + b.rejectedRows;
    return rows;
  };
}

const contenders = [];
for (const { label, root } of parseCheckouts(positionals)) contenders.push({ label, run: await loadCheckout(root) });

const taken = new Map<string, { wall: number; cpu: number }[]>(contenders.map((c) => [c.label, []]));
const rows = new Map<string, number>();
// Round 0 warms the JIT up and is not counted.
for (let i = 0; i <= runs; i++) {
  const order = roundOrder(contenders, i);
  for (const { label, run } of order) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    rows.set(label, run());
    const wall = ((performance.now() - t0) * 1e6) / events;
    const cpuUs = process.cpuUsage(cpu0);
    const cpu = ((cpuUs.user + cpuUs.system) * 1e3) / events;
    if (i > 0) taken.get(label)!.push({ wall, cpu });
  }
}
console.log(`${events} records, ${jobFiles.length} jobs, ${runs} interleaved runs each (after one warm-up), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; medians:`);
for (const { label } of contenders) {
  const t = taken.get(label)!;
  console.log(
    `  ${label.padEnd(12)} ${median(t.map((s) => s.wall))!.toFixed(0)} ns/record wall   ${median(t.map((s) => s.cpu))!.toFixed(0)} ns/record CPU   ` +
      `fastest run ${Math.min(...t.map((s) => s.wall)).toFixed(0)} ns/record wall   (rows ${rows.get(label)}; wall: ${t.map((s) => s.wall.toFixed(0)).join(', ')})`,
  );
}
