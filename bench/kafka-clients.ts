// npm run bench:kafka-clients [-- --events N --runs R]
// Issue 11, item 3: is kafkajs the right Kafka client? Produces N seed-like events once (2
// partitions), then reads the whole topic R times with each client in a process of its own, doing
// per record what gamepipe's topic reader does (bench/kafka-clients/consume.ts), with kcat
// (librdkafka, no per-record work) as the floor. Runs are interleaved, and each round starts with
// the next contender so none always runs first. Prints and writes medians to
// bench/kafka-clients.md, with the 1-minute load average at the start of every run: the machine
// is shared, so only contenders of the same invocation are compared.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bootstrapServers } from '../src/kafka/connection-settings.js';
import { kafkaClient } from '../src/kafka/client.js';
import { ensureKcat, kcatArgs } from './baselines/kcat.js';
import { median } from './compare/combine-runs.js';
import { runMeasured, type RunCommand } from './compare/measured-run.js';
import { machineInfo } from './compare/report.js';
import { markdownTable, summarize, type Sample } from './kafka-clients/report.js';
import { produceEvents } from './workload/producer.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CONSUME = fileURLToPath(new URL('./kafka-clients/consume.ts', import.meta.url));
const RESULTS = fileURLToPath(new URL('./kafka-clients.md', import.meta.url));
const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } } });
const events = Number(values.events);
const runs = Number(values.runs);
const brokers = bootstrapServers();
const log = (line: string) => console.log(`[kafka-clients] ${line}`);

interface Contender {
  name: string;
  description: string;
  /** True when the process reports its own record counts and timings (the node clients). */
  reports: boolean;
  command: (topic: string, ends: Record<number, number>) => RunCommand;
}

const version = (pkg: string) =>
  (JSON.parse(readFileSync(fileURLToPath(new URL(`../node_modules/${pkg}/package.json`, import.meta.url)), 'utf8')) as { version: string }).version;

const nodeClient = (name: string, description: string): Contender => ({
  name,
  description,
  reports: true,
  command: (topic, ends) => ({
    command: process.execPath,
    args: ['--import', 'tsx', CONSUME, name, topic, brokers.join(','), JSON.stringify(ends)],
    cwd: ROOT,
    timeoutMs: 600_000,
  }),
});

const contenders: Contender[] = [
  nodeClient('kafkajs', `kafkajs ${version('kafkajs')}, configured as gamepipe's topic reader (eachBatch)`),
  nodeClient('platformatic', `@platformatic/kafka ${version('@platformatic/kafka')} (pure JS), its message stream`),
];
let kcatVersion = 'not installed';
try {
  kcatVersion = ensureKcat(log);
  contenders.push({
    name: 'kcat',
    description: `kcat ${kcatVersion} -C -e to /dev/null (librdkafka, no per-record work: the floor)`,
    reports: false,
    command: (topic) => ({ command: 'kcat', args: kcatArgs(topic, brokers), cwd: ROOT, timeoutMs: 600_000, discardStdout: true }),
  });
} catch (err) {
  log(`kcat left out: ${(err as Error).message.split('\n')[0]}`);
}

// Not a dependency, so not a contender: what `npm install -D` said here when it was tried.
const NOT_MEASURED = [
  '## Not measured: @confluentinc/kafka-javascript (librdkafka)',
  '',
  '`npm install -D @confluentinc/kafka-javascript` (1.10.1, tried for issue 11 item 3) fails on this machine, whose network',
  'reaches only package registries: its install script first downloads a prebuilt binary from GitHub,',
  '',
  '    [error] install request to https://github.com/confluentinc/confluent-kafka-javascript/releases/download/v1.10.1/confluent-kafka-javascript-v1.10.1-node-v115-linux-glibc-x64.tar.gz failed, reason: getaddrinfo ENOTFOUND github.com',
  '',
  'then builds librdkafka from source, whose configure (`--install-deps --source-deps-only`) downloads zlib, OpenSSL, zstd and curl:',
  '',
  '    ERROR: Download of https://zlib.net/fossils/zlib-1.3.2.tar.gz failed',
  "    make: *** No rule to make target '../deps/librdkafka/config.h', needed by '602aa78fe0d961067cd869d9b4a06c2c29aafc341a2abdc34b4516eb593b5144.intermediate'.  Stop.",
  '    npm error command sh -c node-pre-gyp install --fallback-to-build',
  '',
  'kcat above uses the same library (librdkafka) and stands in as its floor, without any JavaScript per-record work.',
];

const topic = `bench-kafka-clients-${Date.now()}`;
const produced = await produceEvents(topic, events, { partitions: 2, log: () => {} });
log(`produced ${events} events to ${topic} at ${Math.round(produced.eventsPerSecond)} events/s`);
const ends = await endOffsets(topic);

/** partition -> end offset of `topic`, which every run reads up to. */
async function endOffsets(name: string): Promise<Record<number, number>> {
  const admin = kafkaClient('gamepipe-bench-kafka-clients', brokers).admin();
  await admin.connect();
  try {
    return Object.fromEntries((await admin.fetchTopicOffsets(name)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
for (let round = 0; round < runs; round++) {
  for (let k = 0; k < contenders.length; k++) {
    const contender = contenders[(round + k) % contenders.length]!;
    const load = loadavg()[0]!;
    const m = await runMeasured(contender.command(topic, ends));
    if (m.exitCode !== 0) throw new Error(`${contender.name} exited ${m.exitCode}: ${m.errorLines.join(' | ') || m.stderrTail}`);
    const sample: Sample = { load, wallSeconds: m.wallSeconds, cpuSeconds: m.cpuSeconds ?? NaN, peakRssBytes: m.peakRssBytes };
    if (contender.reports) {
      const r = JSON.parse(m.stdoutTail.trim().split('\n').at(-1)!) as { records: number; objects: number; firstMs: number; lastMs: number };
      if (r.records !== events || r.objects !== events) throw new Error(`${contender.name} read ${r.records} records, ${r.objects} objects; expected ${events}`);
      sample.firstRecordSeconds = r.firstMs / 1000;
      sample.readSeconds = (r.lastMs - r.firstMs) / 1000;
    }
    samples.get(contender.name)!.push(sample);
    log(
      `run ${round + 1} ${contender.name}: load ${load.toFixed(2)}, ${Math.round(events / m.wallSeconds)} events/s over ${m.wallSeconds.toFixed(2)} s wall, ` +
        `${sample.cpuSeconds.toFixed(2)} CPU s, ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB peak RSS` +
        (sample.readSeconds ? `, ${Math.round(events / sample.readSeconds)} events/s first to last record` : ''),
    );
  }
}

const rows = contenders.map((c) => summarize(c.name, c.description, samples.get(c.name)!, events));
const table = markdownTable(rows, 'kafkajs');
const loads = median([...samples.values()].flat().map((s) => s.load));
console.log(`\n${table}\n`);
writeFileSync(
  RESULTS,
  [
    '# Kafka clients: kafkajs against @platformatic/kafka, kcat as the floor',
    '',
    `\`npm run bench:kafka-clients -- --events ${events} --runs ${runs}\`, ${new Date().toISOString().slice(0, 10)}, ` +
      `${machineLine()}; local broker (Apache Kafka, KRaft), one topic of ${events} seed-like events in 2 partitions, produced once.`,
    '',
    'Every node client reads the whole topic from the beginning in a fresh group and does per record what',
    "gamepipe's topic reader does: value -> utf8 string -> JSON.parse, offset and timestamp as numbers",
    '(bench/kafka-clients/consume.ts). Both use the reader\'s fetch settings (2 MiB per partition, 8 MiB per fetch, 50 ms wait).',
    `Medians of ${runs} interleaved runs. "events/s (process)" is over the process wall time, start-up and group join`,
    'included; "events/s (reading)" is from the first record to the last. CPU s is user + system of the process.',
    `Median 1-minute load average at the start of a run: ${loads?.toFixed(2) ?? '—'} (every run's is listed below).`,
    '',
    table,
    '',
    ...NOT_MEASURED,
    '',
    '## Runs',
    '',
    '| client | run | load at start | wall s | CPU s | peak RSS MiB |',
    '| --- | --- | --- | --- | --- | --- |',
    ...contenders.flatMap((c) =>
      samples.get(c.name)!.map((s, i) => `| ${c.name} | ${i + 1} | ${s.load.toFixed(2)} | ${s.wallSeconds.toFixed(2)} | ${s.cpuSeconds.toFixed(2)} | ${(s.peakRssBytes / 2 ** 20).toFixed(0)} |`),
    ),
    '',
  ].join('\n'),
);
log(`wrote ${RESULTS}`);
process.exit(0);

function machineLine(): string {
  const info = machineInfo('n/a', kcatVersion);
  return `${info.cpu}, ${info.memory}, node ${info.node}`;
}
