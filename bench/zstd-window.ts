// zstd record batches as Kafka's Java producer writes them (frames without a content size), at
// levels 3 and 22 and in one-record batches, read with the old decoder (fzstd) and the current one
// (libzstd in WebAssembly into a reused buffer, src/kafka/zstd-decoder.ts) in the same run.
//
//   npm run bench:zstd [-- --records N] [--single N]
//
// Needs the local broker (`gamepipe kafka up`, or KAFKA_BROKERS unset and GAMEPIPE_KAFKA_PORT) and
// a JDK. Per topic: each decoder inflates every batch of the topic's log segment (the bytes a Fetch
// returns) in a child process of its own, so its peak RSS is its own; then `gamepipe-run --once`
// reads the topic end to end into a Parquet folder. Figures go to bench/zstd-window.md.
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { decompress as fzstdDecompress } from 'fzstd';
import { brokerPaths, brokerStatus } from '../src/broker/local-broker.js';
import { localBrokerPort } from '../src/broker/brokers.js';
import { usesExternalCluster } from '../src/kafka/connection-settings.js';
import { decodeRecords } from '../src/kafka/record-batches.js';
import { zstdDecompress } from '../src/kafka/zstd-decoder.js';
import { produceWithJava } from '../test/support/java-kafka.js';
import { createTopic, suffix, uniqueTopic } from '../test/support/kafka.js';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const RESULTS = join(import.meta.dirname, 'zstd-window.md');
// A v2 record batch: length at 8, records (the compressed payload) from 61.
const LENGTH_AT = 8;
const RECORDS_AT = 61;
const DECODERS = { fzstd: (payload: Uint8Array) => fzstdDecompress(payload), 'libzstd-wasm': zstdDecompress } as const;
type Decoder = keyof typeof DECODERS;

/** The payload of every batch in a log segment file. */
function payloads(segment: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at + RECORDS_AT <= segment.length; ) {
    const end = at + 12 + segment.readInt32BE(at + LENGTH_AT);
    out.push(segment.subarray(at + RECORDS_AT, end));
    at = end;
  }
  return out;
}

interface DecodeFigures {
  batches: number;
  records: number;
  inflatedBytes: number;
  ms: number;
  peakRssMiB: number;
}

/** Child mode: inflates every batch of `segmentPath` with `decoder`, then (current decoder) decodes the records too. */
async function decodeChild(decoder: Decoder, segmentPath: string): Promise<void> {
  const segment = await readFile(segmentPath);
  const batches = payloads(segment);
  const started = performance.now();
  let inflatedBytes = 0;
  for (const payload of batches) inflatedBytes += DECODERS[decoder](payload).length;
  let records = 0;
  // The current decoder through the whole decode path (record-batches.ts), as a processing thread runs it.
  if (decoder === 'libzstd-wasm') records = decodeRecords(segment, 0, []).count;
  const figures: DecodeFigures = {
    batches: batches.length,
    records,
    inflatedBytes,
    ms: performance.now() - started,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  console.log(JSON.stringify(figures));
}

async function decodeInChild(decoder: Decoder, segmentPath: string): Promise<DecodeFigures> {
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', import.meta.filename, '--decode', decoder, segmentPath], { cwd: ROOT, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as DecodeFigures;
}

/** `gamepipe-run --once` of one job copying `topic` into a Parquet folder: wall time and peak RSS (GNU time). */
async function runOnce(topic: string): Promise<{ seconds: number; peakRssMiB: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'gamepipe-zstd-bench-'));
  try {
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'copy.job.yaml'), `job: zstd_bench_${suffix(topic)}\nsource: { topic: ${topic} }\nschema:\n  n: long\ninclude: [raw_event]\nsink: { path: out }\n`);
    const started = performance.now();
    const { stderr } = await exec('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, join(ROOT, 'bin/gamepipe-run.js'), '--once', 'jobs'], { cwd: dir, maxBuffer: 64 << 20 });
    const seconds = (performance.now() - started) / 1000;
    const peakRssMiB = Number(/maxrss=(\d+)/.exec(stderr)![1]) / 1024;
    return { seconds, peakRssMiB };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function segmentOf(topic: string): Promise<string> {
  const folder = join(brokerPaths(localBrokerPort()).data, `${topic}-0`);
  const log = (await readdir(folder)).filter((f) => f.endsWith('.log')).sort();
  if (log.length !== 1) throw new Error(`${folder}: expected one log segment, found ${log.length}`);
  return join(folder, log[0]!);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '20000' }, single: { type: 'string', default: '2000' }, decode: { type: 'string' } }, allowPositionals: true });
  const records = Number(values.records);
  const single = Number(values.single);
  if (usesExternalCluster()) throw new Error('bench:zstd reads log segments of the local broker: unset KAFKA_BROKERS and KAFKA_CONFIG_FILE');
  if (!(await brokerStatus(localBrokerPort())).running) throw new Error(`no local broker on port ${localBrokerPort()}: run gamepipe kafka up`);

  const cases = [
    { name: `level 3, default batching, ${records} records`, level: 3, records, lingerMs: 5 },
    { name: `level 22, default batching, ${records} records`, level: 22, records, lingerMs: 5 },
    { name: `level 3, one record per batch, ${single} records`, level: 3, records: single, lingerMs: 0 },
  ];
  const rows: string[] = [];
  for (const c of cases) {
    const topic = uniqueTopic(`zstd-bench-${c.level}`);
    await createTopic(topic, 1);
    const producing = performance.now();
    await produceWithJava(topic, c.level, c.records, c.lingerMs);
    console.log(`${c.name}: produced by the Java producer in ${((performance.now() - producing) / 1000).toFixed(1)} s`);
    const segment = await segmentOf(topic);
    const figures: Partial<Record<Decoder, DecodeFigures>> = {};
    for (const decoder of Object.keys(DECODERS) as Decoder[]) {
      const f = (figures[decoder] = await decodeInChild(decoder, segment));
      console.log(`  ${decoder}: ${f.batches} batches inflated in ${f.ms.toFixed(0)} ms (${((f.ms * 1000) / f.batches).toFixed(0)} µs a batch), peak RSS ${f.peakRssMiB.toFixed(0)} MiB`);
    }
    const run = await runOnce(topic);
    console.log(`  gamepipe-run --once: ${run.seconds.toFixed(2)} s, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
    const old = figures.fzstd!;
    const now = figures['libzstd-wasm']!;
    if (now.records !== c.records) throw new Error(`${c.name}: decoded ${now.records} records, produced ${c.records}`);
    rows.push(
      `| ${c.name} | ${now.batches} | ${old.ms.toFixed(0)} ms, ${((old.ms * 1000) / old.batches).toFixed(0)} µs/batch, ${old.peakRssMiB.toFixed(0)} MiB | ` +
        `${now.ms.toFixed(0)} ms, ${((now.ms * 1000) / now.batches).toFixed(0)} µs/batch, ${now.peakRssMiB.toFixed(0)} MiB | ${run.seconds.toFixed(2)} s, ${run.peakRssMiB.toFixed(0)} MiB |`,
    );
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const cpu = (await readFile('/proc/cpuinfo', 'utf8').catch(() => '')).match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
  const report = [
    '# zstd batches of the Java producer: old decoder against new',
    '',
    `\`npm run bench:zstd -- --records ${records} --single ${single}\` at ${commit}, Node ${process.versions.node}, ${cpu}, on a machine shared with other work.`,
    '',
    'Topics written by Kafka\'s Java producer (kafka-clients of the local broker, `compression.type=zstd`,',
    '`compression.zstd.level` 3 or 22; its frames carry no content size and announce the level\'s window,',
    '128 MiB at level 22). "Inflate" is every batch of the topic\'s log segment inflated in a child',
    'process of its own (the current decoder then also decodes the records, record-batches.ts); peak RSS',
    'is that process\'s. The last column is `gamepipe-run --once` copying the topic into a Parquet folder',
    '(current decoder), wall time and peak RSS of the run.',
    '',
    '| topic | batches | inflate: fzstd (old) | inflate + decode: libzstd-wasm (new) | gamepipe-run --once (new) |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  await writeFile(RESULTS, report);
  console.log(`\n${report}\nwritten to ${RESULTS}`);
}

const { values: childArgs, positionals } = parseArgs({ options: { decode: { type: 'string' } }, allowPositionals: true, strict: false });
if (typeof childArgs.decode === 'string') await decodeChild(childArgs.decode as Decoder, positionals[0]!);
else await main();
