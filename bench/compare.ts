// `npm run bench`: gamepipe against PySpark Structured Streaming and the read floor (kcat, kafkajs)
// on one topic of seed-like events, produced once; each contender runs alone, measured, bounded.
// Options: --events N (1000000) --only a,b --runs K (3, medians reported) --partitions P (2)
//          --timeout S (900 per contender run)
//          --latency-rate R (1000/s) --latency-seconds S (20) --no-latency --keep --results FILE
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrapServers } from '../src/kafka/connection-settings.js';
import { waitForMetadata } from '../src/kafka/broker-probe.js';
import { kafkaClient } from '../src/kafka/client.js';
import { intFlag, parseFlags } from '../src/cli/args.js';
import { ensureKcat } from './baselines/kcat.js';
import { CONTENDERS, type Contender, type RunContext } from './compare/contenders.js';
import { measureLatency } from './compare/latency.js';
import { runMeasured } from './compare/measured-run.js';
import { parquetFootprint, committedParquetFiles } from './compare/output-files.js';
import { combineRuns } from './compare/combine-runs.js';
import { machineInfo, resultsMarkdown, resultsTable, ratios, type ContenderResult } from './compare/report.js';
import { pinnedSparkVersion } from './compare/spark.js';
import { openDuckDB, readTableTotals } from './compare/table-reader.js';
import { eventStream } from './workload/events.js';
import { produceEvents } from './workload/producer.js';
import { BENCH_TABLES, expectedTotals, type WorkloadTotals } from './workload/tables.js';
import { loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';

const log = (line: string) => console.log(`[bench] ${line}`);
const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const WORK = fileURLToPath(new URL('./work/', import.meta.url));

/** The commit gamepipe ran from, and whether the working tree under src/ differed from it. */
function treeState(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'bin', 'jobs'], { encoding: 'utf8' }).stdout.trim();
  return `working tree at commit ${head}${dirty ? ` with uncommitted changes in ${dirty.split('\n').length} file(s) under src/, bin/ or jobs/` : ', clean under src/, bin/, jobs/'}`;
}

/** Reads a contender's three tables and compares them with the expected totals. */
async function checkTables(run: ReturnType<Contender['drain']>, expected: WorkloadTotals): Promise<{ totals: WorkloadTotals; verdict: string }> {
  const conn = await openDuckDB();
  const totals: WorkloadTotals = {};
  const diffs: string[] = [];
  try {
    for (const table of BENCH_TABLES) {
      const out = run.tables![table.name];
      const got = await readTableTotals(conn, committedParquetFiles(out.dir), table, out.columnOf);
      totals[table.name] = { rows: got.rows, sums: got.sums };
      diffs.push(...got.problems);
      const want = expected[table.name]!;
      if (got.rows !== want.rows) diffs.push(`${table.name} rows ${got.rows} != ${want.rows}`);
      for (const [field, sum] of Object.entries(want.sums)) {
        if (got.sums[field] !== sum) diffs.push(`${table.name} sum(${field}) ${got.sums[field]} != ${sum}`);
      }
    }
  } finally {
    conn.closeSync();
  }
  return { totals, verdict: diffs.length === 0 ? 'ok' : `MISMATCH: ${diffs.join('; ')}` };
}

function tailOf(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l && !/ WARN |^\s*at /.test(l));
  return lines.slice(-3).join(' | ').slice(0, 600);
}

/** Runs one contender over the whole topic and fills in its figures. */
async function drainOne(c: Contender, ctx: RunContext, events: number, expected: WorkloadTotals, timeoutMs: number, r: ContenderResult) {
  const run = c.drain(ctx);
  r.loadBefore = loadavg()[0];
  log(`${c.name}: processing the topic (bound ${timeoutMs / 1000} s)`);
  // Spark prints `BENCH {"event", "t"}` milestones: they split its wall time into start-up and work.
  const milestones: string[] = [];
  const onLine = (line: string) => {
    if (!line.startsWith('BENCH ')) return;
    const e = JSON.parse(line.slice(6)) as { event: string; t: number };
    milestones.push(`${e.event} at ${e.t.toFixed(1)} s`);
  };
  const m = await runMeasured({ ...run, timeoutMs, onLine });
  if (milestones.length) r.detail = `milestones: ${milestones.join(', ')}`;
  Object.assign(r, { wallSeconds: m.wallSeconds, peakRssBytes: m.peakRssBytes, cpuSeconds: m.cpuSeconds, eventsPerSecond: events / m.wallSeconds });
  if (m.timedOut) {
    r.status = 'failed';
    r.reason = `did not finish within ${timeoutMs / 1000} s (killed); last output: ${tailOf(m.stderrTail || m.stdoutTail)}`;
  } else if (m.exitCode !== 0) {
    r.status = 'failed';
    r.reason = `exited with ${m.exitCode}: ${m.errorLines.slice(0, 2).join(' | ') || tailOf(m.stderrTail || m.stdoutTail)}`;
  }
  if (r.status === 'failed') {
    delete r.eventsPerSecond;
  }
  if (run.tables) {
    let bytes = 0;
    let files = 0;
    for (const t of Object.values(run.tables)) {
      const f = parquetFootprint(t.dir);
      bytes += f.bytes;
      files += f.files;
    }
    Object.assign(r, { outputBytes: bytes, outputFiles: files });
    try {
      const check = await checkTables(run, expected);
      r.totals = check.totals;
      r.correctness = check.verdict === 'ok' ? 'ok' : 'MISMATCH';
      if (check.verdict !== 'ok') {
        if (r.status === 'ok') r.status = 'wrong';
        const said = m.errorLines.length && r.status === 'wrong' ? `; it logged: ${m.errorLines.slice(0, 2).join(' | ')}` : '';
        r.reason = [r.reason, `${check.verdict}${said}`].filter(Boolean).join('; ');
      }
    } catch (err) {
      r.correctness = 'unreadable';
      r.reason = [r.reason, `tables could not be read: ${(err as Error).message.split('\n')[0]}`].filter(Boolean).join('; ');
    }
  } else if (c.name === 'kafkajs' && r.status === 'ok') {
    const count = /"messages":(\d+)/.exec(m.stdoutTail)?.[1];
    r.correctness = Number(count) === events ? `read ${count}` : `MISMATCH: read ${count ?? '?'} of ${events}`;
  } else {
    r.correctness = 'n/a';
  }
  log(`${c.name}: ${r.status}${r.reason ? ` (${r.reason})` : ''}, ${r.wallSeconds?.toFixed(2)} s, correct: ${r.correctness}`);
}

async function main(): Promise<number> {
  const { values } = parseFlags(process.argv.slice(2), {
    events: { type: 'string' },
    only: { type: 'string' },
    partitions: { type: 'string' },
    timeout: { type: 'string' },
    'latency-rate': { type: 'string' },
    'latency-seconds': { type: 'string' },
    'no-latency': { type: 'boolean' },
    keep: { type: 'boolean' },
    results: { type: 'string' },
    runs: { type: 'string' },
  }, false);
  const events = intFlag(values.events, 'events', 1_000_000, 1, 100_000_000);
  const rounds = intFlag(values.runs, 'runs', 3, 1, 20);
  const partitions = intFlag(values.partitions, 'partitions', 2, 1, 64);
  const timeoutMs = intFlag(values.timeout, 'timeout', 900, 10, 86_400) * 1000;
  const latencyRate = intFlag(values['latency-rate'], 'latency-rate', 1000, 1, 1_000_000);
  const latencySeconds = intFlag(values['latency-seconds'], 'latency-seconds', 20, 1, 3600);
  const names = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names?.filter((n) => !CONTENDERS.some((c) => c.name === n)) ?? [];
  if (unknown.length) {
    console.error(`bench: unknown contender ${unknown.join(', ')}; known: ${CONTENDERS.map((c) => c.name).join(', ')}`);
    return 2;
  }
  const chosen = CONTENDERS.filter((c) => !names || names.includes(c.name));
  const resultsPath = resolve(values.results ?? (names ? `${WORK}RESULTS-only-${names.join('-')}.md` : RESULTS));
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

  const brokers = bootstrapServers();
  await waitForMetadata(brokers, 15_000);
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 6)}`;
  const runDir = `${WORK}${runId}`;
  mkdirSync(runDir, { recursive: true });

  const results: ContenderResult[] = [];
  const ready: [Contender, ContenderResult][] = [];
  for (const c of chosen) {
    const r: ContenderResult = { name: c.name, description: c.description, kind: c.kind, status: 'ok' };
    results.push(r);
    const reason = await c.prepare(log).catch((err: Error) => `preparation failed: ${err.message}`);
    if (reason) {
      Object.assign(r, { status: 'unavailable', reason });
      log(`${c.name}: ${reason}`);
    } else ready.push([c, r]);
  }

  const topic = `bench-${randomUUID().slice(0, 8)}`;
  log(`producing ${events} events to ${topic} (${partitions} partitions)`);
  const produced = await produceEvents(topic, events, { partitions, brokers, log });
  const admin = kafkaClient('gamepipe-bench-admin', brokers).admin();
  await admin.connect();
  const endOffsets = Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [String(p.partition), Number(p.high)]));
  const expected = expectedTotals(eventStream(events, 1));
  const latencyTopics: string[] = [];

  try {
    // Rounds interleave the contenders, so load from other work on the machine spreads over all of them.
    const runsOf = new Map<string, ContenderResult[]>(ready.map(([c]) => [c.name, []]));
    for (let round = 1; round <= rounds; round++) {
      if (rounds > 1) log(`round ${round}/${rounds}`);
      for (const [c, r] of ready) {
        const dir = `${runDir}/${c.name}-${round}`;
        mkdirSync(dir, { recursive: true });
        const one: ContenderResult = { ...r };
        try {
          await drainOne(c, { topic, brokers, endOffsets, dir }, events, expected, timeoutMs, one);
        } catch (err) {
          Object.assign(one, { status: 'failed', reason: (err as Error).message.split('\n')[0] });
          log(`${c.name}: failed: ${one.reason}`);
        }
        runsOf.get(c.name)!.push(one);
        if (!values.keep) rmSync(dir, { recursive: true, force: true });
      }
    }
    for (const [c, r] of ready) Object.assign(r, combineRuns(runsOf.get(c.name)!, events));
    if (!values['no-latency']) {
      for (const [c, r] of ready) {
        if (!c.stream) continue;
        log(`${c.name}: latency run`);
        r.latency = await measureLatency(c, {
          brokers,
          baseDir: runDir,
          ratePerSecond: latencyRate,
          seconds: latencySeconds,
          waitMs: 120_000,
          log,
          onTopic: (t) => latencyTopics.push(t),
        }).catch((err: Error) => ({ firstFileSeconds: null, p50Ms: null, p99Ms: null, maxMs: null, matched: 0, expected: 0, error: err.message }));
        const l = r.latency;
        log(`${c.name}: first file ${l.firstFileSeconds?.toFixed(2) ?? '—'} s, p50 ${l.p50Ms?.toFixed(0) ?? '—'} ms, p99 ${l.p99Ms?.toFixed(0) ?? '—'} ms, ${l.matched}/${l.expected} rows${l.error ? `, ${l.error}` : ''}`);
      }
    }
  } finally {
    await admin.deleteTopics([topic, ...latencyTopics]).catch(() => {});
    await admin.disconnect();
    if (!values.keep) rmSync(runDir, { recursive: true, force: true });
  }

  let kcatVersion = 'not checked';
  try {
    kcatVersion = ensureKcat(() => {});
  } catch {
    kcatVersion = 'not installed';
  }
  const report = {
    command,
    date: new Date().toISOString(),
    events,
    topic,
    partitions,
    produced,
    expected,
    machine: { ...machineInfo(`PySpark ${pinnedSparkVersion()} (local[2], driver memory 2g)`, kcatVersion), gamepipe: treeState() },
    results,
    rounds,
    latencySettings: values['no-latency']
      ? 'latency not measured: --no-latency'
      : `first file s: start of the streaming process to its first committed Parquet file, on a fresh topic holding 1000 events; p50/p99: ${latencyRate} events/s produced for ${latencySeconds} s, time from send to the poll (every 100 ms, committed files only) that first shows the row`,
  };
  const markdown = resultsMarkdown(report);
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(resultsPath, markdown);
  console.log(`\n${resultsTable(results)}\n\n${ratios(results).join('\n')}\n`);
  log(`wrote ${resultsPath}`);
  return 0;
}

process.exitCode = await main();
