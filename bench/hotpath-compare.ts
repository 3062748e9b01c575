// tsx bench/hotpath-compare.ts [--events N] [--runs R] [--topic T] [--jobs three|all] [--cpu-prof DIR] LABEL=ROOT[,NODE_FLAG|NAME=VALUE...] ...
// Runs `gamepipe-run --once` of several checkouts of gamepipe (ROOT: a project folder, e.g. a
// `git archive` of a commit with node_modules linked in; node flags may follow, comma-separated,
// e.g. `semi64=.,--max-semi-space-size=64`, and environment variables, e.g.
// `one=.,GAMEPIPE_PROCESSING_THREADS=1`) over the same topic, interleaved and in
// alternating order each round, so a busy shared machine weighs on every checkout alike. Prints
// each run and the medians of wall and CPU seconds and peak RSS, with the 1-minute load average at each start.
// --cpu-prof writes V8 CPU profiles of every run there (read them with bench/cpuprofile-summary.ts);
// profiling slows a run, so do not take timings from such runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseCheckouts, roundOrder } from './compare/checkouts.js';
import { median } from './compare/combine-runs.js';
import { exampleJobFiles, retargetJobFile } from './compare/gamepipe.js';
import { runMeasured } from './compare/measured-run.js';
import { produceEvents } from './workload/producer.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    events: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '3' },
    topic: { type: 'string' },
    jobs: { type: 'string', default: 'three' },
    'cpu-prof': { type: 'string' },
  },
});
const runs = Number(values.runs);
const events = Number(values.events);
const contenders = parseCheckouts(positionals);

let topic = values.topic;
if (!topic) {
  topic = `bench-hotpath-${Date.now()}`;
  const produced = await produceEvents(topic, events, { partitions: 2, log: () => {} });
  console.log(`produced ${produced.events} events to ${topic} at ${Math.round(produced.eventsPerSecond)} events/s`);
}

// The same job files for every checkout: this one's examples.
const jobFiles =
  values.jobs === 'all'
    ? readdirSync(join(ROOT, 'jobs')).filter((f) => f.endsWith('.job.yaml')).sort().map((f) => join(ROOT, 'jobs', f))
    : Object.values(exampleJobFiles());

// The first start of a checkout bundles its sources (bin/launch.js): not part of any measured run.
for (const { root } of contenders) execFileSync(process.execPath, [join(root, 'bin/gamepipe-run.js'), '--help'], { stdio: 'ignore' });

const profileDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
type Sample = { wall: number; cpu: number; rss: number; load: number };
const samples = new Map<string, Sample[]>(contenders.map((c) => [c.label, []]));
for (let i = 0; i < runs; i++) {
  const order = roundOrder(contenders, i);
  for (const { label, root, flags, env } of order) {
    const dir = mkdtempSync(join(tmpdir(), 'gamepipe-hotpath-'));
    const runId = `hot${Date.now()}`;
    for (const file of jobFiles) retargetJobFile(file, dir, topic, runId);
    const nodeArgs: string[] = [...flags];
    if (profileDir) {
      const out = join(profileDir, `${label}-${i + 1}`);
      mkdirSync(out, { recursive: true });
      nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${out}`);
    }
    const load = loadavg()[0]!;
    const m = await runMeasured({
      command: process.execPath,
      args: [...nodeArgs, join(root, 'bin/gamepipe-run.js'), '--once', '.'],
      cwd: dir,
      env: { ...process.env, GAMEPIPE_LOG_LEVEL: 'warn', ...env },
      timeoutMs: 600_000,
    });
    rmSync(dir, { recursive: true, force: true });
    if (m.exitCode !== 0) throw new Error(`${label}: gamepipe-run exited ${m.exitCode}: ${m.errorLines.join(' | ') || m.stderrTail}`);
    samples.get(label)!.push({ wall: m.wallSeconds, cpu: m.cpuSeconds ?? NaN, rss: m.peakRssBytes / 2 ** 20, load });
    console.log(`round ${i + 1} ${label}: ${m.wallSeconds.toFixed(2)} s wall, ${(m.cpuSeconds ?? NaN).toFixed(2)} s CPU, peak RSS ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB, load ${load.toFixed(2)}`);
  }
}

console.log(`\ntopic ${topic}, ${jobFiles.length} jobs, ${runs} interleaved runs each; medians:`);
for (const { label } of contenders) {
  const taken = samples.get(label)!;
  const wall = median(taken.map((s) => s.wall))!;
  const cpu = median(taken.map((s) => s.cpu)) ?? NaN;
  const rss = median(taken.map((s) => s.rss))!;
  const loads = taken.map((s) => s.load.toFixed(2)).join(', ');
  console.log(`  ${label.padEnd(12)} wall ${wall.toFixed(2)} s   CPU ${cpu.toFixed(2)} s   peak RSS ${rss.toFixed(0)} MiB   (wall: ${taken.map((s) => s.wall.toFixed(2)).join(', ')}; load: ${loads})`);
}
process.exit(0);
