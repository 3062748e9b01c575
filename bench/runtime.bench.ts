// npm run bench:runtime [-- --events N --runs R]
// Produces N seed-like events once, then runs `gamepipe-run --once` over them R times for each
// scenario: one example job into a local folder (format: parquet), the same job as a Delta table
// on a local disk and on S3 (MinIO: `gamepipe s3 up` unless AWS_ENDPOINT_URL is set), and all the
// example jobs, and each example job twice. Runs are interleaved (run 1 of every scenario, then run 2, ...), each in a fresh
// folder or prefix, so every run reads the whole topic. Prints medians: events/s over the wall time
// of the process, peak RSS of its process tree, CPU seconds, output bytes and files; writes them to
// bench/runtime-results.md.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadJobs } from '../src/dsl/load-jobs.js';
import { openJobStore } from '../src/table/open-job-store.js';
import { GAMEPIPE_RUN, retargetJobFile } from './compare/gamepipe.js';
import { ensureBenchS3 } from './compare/s3.js';
import { runMeasured } from './compare/measured-run.js';
import { parquetFootprint } from './compare/output-files.js';
import { produceEvents } from './workload/producer.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { events: { type: 'string', default: '500000' }, runs: { type: 'string', default: '3' } } });
const events = Number(values.events);
const runs = Number(values.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const topic = `bench-runtime-${Date.now()}`;
const produced = await produceEvents(topic, events, { partitions: 2, log: () => {} });
console.log(`produced ${events} events to ${topic} at ${Math.round(produced.eventsPerSecond)} events/s`);

const s3 = await ensureBenchS3();
const allJobs = readdirSync(join(ROOT, 'jobs')).filter((f) => f.endsWith('.job.yaml')).sort();
type Sink = { format: 'delta'; path: (runId: string, dir: string) => string };
/** `copies` > 1 runs each file that many times, as jobs of their own (own names, groups and tables). */
const scenarios: { name: string; files: string[]; sink?: Sink; copies?: number }[] = [
  { name: 'one job (horse_purchases), parquet folder', files: ['horse_purchases.job.yaml'] },
  { name: 'one job, delta on local disk', files: ['horse_purchases.job.yaml'], sink: { format: 'delta', path: (_, dir) => join(dir, 'data/horse_purchases') } },
  { name: 'one job, delta on S3 (MinIO)', files: ['horse_purchases.job.yaml'], sink: { format: 'delta', path: (runId) => `s3://${s3.bucket}/bench/${runId}/horse_purchases` } },
  { name: `all ${allJobs.length} example jobs, parquet folders`, files: allJobs },
  { name: `${allJobs.length * 2} jobs (the examples twice), parquet folders`, files: allJobs, copies: 2 },
];

type Sample = { rate: number; rss: number; cpu: number; bytes: number; files: number };
const samples = new Map<string, Sample[]>(scenarios.map((s) => [s.name, []]));
for (let i = 0; i < runs; i++) {
  for (const scenario of scenarios) {
    const dir = mkdtempSync(join(tmpdir(), 'gamepipe-bench-runtime-'));
    const runId = `bench${Date.now()}`;
    for (const file of scenario.files) {
      // Extra copies first: retargetJobFile writes under the file's own name, which the original takes last.
      for (let copy = (scenario.copies ?? 1) - 1; copy > 0; copy--) {
        const { file: written, doc } = retargetJobFile(join(ROOT, 'jobs', file), dir, topic, `${runId}c${copy}`);
        doc.setIn(['sink', 'path'], `data/copy${copy}/${String(doc.getIn(['sink', 'path']))}`);
        writeFileSync(join(dir, `copy${copy}-${file}`), doc.toString());
        rmSync(written);
      }
      const { file: written, doc } = retargetJobFile(join(ROOT, 'jobs', file), dir, topic, runId);
      if (scenario.sink) {
        doc.setIn(['sink', 'format'], scenario.sink.format);
        doc.setIn(['sink', 'path'], scenario.sink.path(runId, dir));
        writeFileSync(written, doc.toString());
      }
    }
    const m = await runMeasured({
      command: process.execPath,
      args: [GAMEPIPE_RUN, '--once', '.'],
      cwd: dir,
      env: { ...process.env, ...s3.env, GAMEPIPE_LOG_LEVEL: 'warn' },
      timeoutMs: 600_000,
    });
    if (m.exitCode !== 0) throw new Error(`${scenario.name}: gamepipe-run exited ${m.exitCode}: ${m.errorLines.join(' | ') || m.stderrTail}`);
    const out = scenario.sink ? await tableFootprint(dir) : parquetFootprint(join(dir, 'data'));
    samples.get(scenario.name)!.push({ rate: events / m.wallSeconds, rss: m.peakRssBytes, cpu: m.cpuSeconds ?? NaN, bytes: out.bytes, files: out.files });
    console.log(`  ${scenario.name} run ${i + 1}: ${Math.round(events / m.wallSeconds)} events/s, ${m.wallSeconds.toFixed(2)} s wall, ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB peak RSS`);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes and files of a run's tables as their format lists them (a Delta table: its live files). */
async function tableFootprint(dir: string): Promise<{ bytes: number; files: number }> {
  const footprint = { bytes: 0, files: 0 };
  for (const job of (await loadJobs([dir])).jobs) {
    const store = openJobStore(job);
    for (const file of [...(await store.files('output')), ...(await store.files('rejected'))]) {
      footprint.bytes += file.bytes;
      footprint.files++;
    }
  }
  return footprint;
}

const rows: string[][] = [];
const rates: Record<string, number> = {};
for (const scenario of scenarios) {
  const taken = samples.get(scenario.name)!;
  const rate = median(taken.map((s) => s.rate));
  rates[scenario.name] = rate;
  rows.push([
    scenario.name,
    String(Math.round(rate)),
    (median(taken.map((s) => s.rss)) / 2 ** 20).toFixed(0),
    median(taken.map((s) => s.cpu)).toFixed(2),
    (median(taken.map((s) => s.bytes)) / 2 ** 20).toFixed(2),
    String(median(taken.map((s) => s.files))),
  ]);
}

const [one, deltaLocal, deltaS3, all, twice] = Object.values(rates) as [number, number, number, number, number];
const header = ['scenario', 'events/s', 'peak RSS MiB', 'CPU s', 'output MiB', 'files'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const ratio = [
  `Cost of all ${allJobs.length} jobs relative to one job (wall time): ${(one / all).toFixed(2)}x`,
  `Cost of ${allJobs.length * 2} jobs relative to one job (wall time): ${(one / twice).toFixed(2)}x`,
  `Delta on local disk relative to the parquet folder (events/s): ${((deltaLocal / one) * 100).toFixed(0)}%`,
  `Delta on S3 (MinIO) relative to the parquet folder (events/s): ${((deltaS3 / one) * 100).toFixed(0)}%`,
].join('\n\n');
const machine = `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
console.log(`\n${table}\n\n${ratio}\n`);
writeFileSync(
  join(ROOT, 'bench/runtime-results.md'),
  `# gamepipe-run --once throughput\n\n\`npm run bench:runtime -- --events ${events} --runs ${runs}\`, ${new Date().toISOString().slice(0, 10)}, ${machine}.\n` +
    `Medians of ${runs} runs; events/s is over the whole process wall time (start-up, group joins and final commits included).\n\n${table}\n\n${ratio}\n`,
);
await s3.stop();
process.exit(0);
