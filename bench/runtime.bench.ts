// npm run bench:runtime [-- --events N --runs R]
// Produces N seed-like events once, then runs `gamepipe-run --once` over them R times for one
// example job and R times for all five, each run in a fresh folder (so every run reads the whole
// topic). Prints medians: events/s over the wall time of the process, peak RSS of its process
// tree, CPU seconds, output bytes and files; writes them to bench/runtime-results.md.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GAMEPIPE_RUN, retargetJobFile } from './compare/gamepipe.js';
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

const allJobs = readdirSync(join(ROOT, 'jobs')).filter((f) => f.endsWith('.job.yaml')).sort();
const scenarios = [
  { name: 'one job (horse_purchases)', files: ['horse_purchases.job.yaml'] },
  { name: `all ${allJobs.length} example jobs`, files: allJobs },
];

const rows: string[][] = [];
const rates: Record<string, number> = {};
for (const scenario of scenarios) {
  const samples: { rate: number; rss: number; cpu: number; bytes: number; files: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'gamepipe-bench-runtime-'));
    const runId = `bench${Date.now()}`;
    for (const file of scenario.files) retargetJobFile(join(ROOT, 'jobs', file), dir, topic, runId);
    const m = await runMeasured({
      command: process.execPath,
      args: [GAMEPIPE_RUN, '--once', '.'],
      cwd: dir,
      env: { ...process.env, GAMEPIPE_LOG_LEVEL: 'warn' },
      timeoutMs: 600_000,
    });
    if (m.exitCode !== 0) throw new Error(`${scenario.name}: gamepipe-run exited ${m.exitCode}: ${m.errorLines.join(' | ') || m.stderrTail}`);
    const out = parquetFootprint(join(dir, 'data'));
    samples.push({ rate: events / m.wallSeconds, rss: m.peakRssBytes, cpu: m.cpuSeconds ?? NaN, bytes: out.bytes, files: out.files });
    console.log(`  ${scenario.name} run ${i + 1}: ${Math.round(events / m.wallSeconds)} events/s, ${m.wallSeconds.toFixed(2)} s wall, ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB peak RSS`);
    rmSync(dir, { recursive: true, force: true });
  }
  const rate = median(samples.map((s) => s.rate));
  rates[scenario.name] = rate;
  rows.push([
    scenario.name,
    String(Math.round(rate)),
    (median(samples.map((s) => s.rss)) / 2 ** 20).toFixed(0),
    median(samples.map((s) => s.cpu)).toFixed(2),
    (median(samples.map((s) => s.bytes)) / 2 ** 20).toFixed(2),
    String(median(samples.map((s) => s.files))),
  ]);
}

const [one, all] = Object.values(rates) as [number, number];
const header = ['scenario', 'events/s', 'peak RSS MiB', 'CPU s', 'output MiB', 'files'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const ratio = `Cost of all jobs relative to one job (wall time): ${(one / all).toFixed(2)}x`;
const machine = `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
console.log(`\n${table}\n\n${ratio}\n`);
writeFileSync(
  join(ROOT, 'bench/runtime-results.md'),
  `# gamepipe-run --once throughput\n\n\`npm run bench:runtime -- --events ${events} --runs ${runs}\`, ${new Date().toISOString().slice(0, 10)}, ${machine}.\n` +
    `Medians of ${runs} runs; events/s is over the whole process wall time (start-up, group joins and final commits included).\n\n${table}\n\n${ratio}\n`,
);
process.exit(0);
