// Formats the benchmark's results: the machine, the per-contender table, the ratios, the totals.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { KAFKA_VERSION } from '../../src/broker/provision.js';
import { usesExternalCluster } from '../../src/kafka/connection-settings.js';
import type { WorkloadTotals } from '../workload/tables.js';
import type { LatencyResult } from './latency.js';
import { VARIANTS, variantCostLine } from './variant-cost.js';

/** Everything measured about one contender. */
export interface ContenderResult {
  name: string;
  description: string;
  kind: 'pipeline' | 'baseline';
  /** ok; wrong: ran to the end but its tables do not match; failed: crashed or timed out. */
  status: 'ok' | 'wrong' | 'failed' | 'unavailable';
  reason?: string;
  wallSeconds?: number;
  eventsPerSecond?: number;
  peakRssBytes?: number;
  cpuSeconds?: number | null;
  outputBytes?: number;
  outputFiles?: number;
  /** 'ok', 'n/a' for baselines, or what differs. */
  correctness?: string;
  totals?: WorkloadTotals;
  loadBefore?: number;
  /**
   * Each run's wall and CPU seconds, in round order; null for a run that did not succeed. Round k
   * of every contender ran in the same round, so runs at one index met similar load.
   */
  rounds?: { wallSeconds: number | null; cpuSeconds: number | null }[];
  /** Extra facts the contender reported about itself (Spark's start-up and drain milestones). */
  detail?: string;
  latency?: LatencyResult;
}

/** The run as a whole. */
export interface BenchReport {
  command: string;
  date: string;
  events: number;
  topic: string;
  partitions: number;
  produced: { seconds: number; eventsPerSecond: number };
  expected: WorkloadTotals;
  machine: Record<string, string>;
  results: ContenderResult[];
  latencySettings: string;
  /** How many times each contender processed the topic; the table shows medians. */
  rounds: number;
}

function firstLine(cmd: string, args: string[], stream: 'stdout' | 'stderr' = 'stdout'): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? (r[stream] || r.stdout || r.stderr).trim().split('\n')[0]! : `unavailable (${cmd} ${args.join(' ')} failed)`;
}

/** Cores, memory and tool versions of this machine. */
export function machineInfo(sparkVersion: string, kcatVersion: string): Record<string, string> {
  return {
    cpu: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown model'}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    java: firstLine('java', ['-version'], 'stderr'),
    spark: sparkVersion,
    kafka: usesExternalCluster() ? 'external cluster (KAFKA_BROKERS), version not queried' : `Apache Kafka ${KAFKA_VERSION} (local broker, KRaft)`,
    kcat: kcatVersion,
    'load average at start (1 min)': loadavg()[0]!.toFixed(2),
  };
}

const fmt = (v: number | null | undefined, digits = 1) => (v == null || Number.isNaN(v) ? '—' : v.toFixed(digits));
const int = (v: number | null | undefined) => (v == null ? '—' : Math.round(v).toLocaleString('en-US'));
const mib = (v: number | undefined) => (v == null ? '—' : (v / 2 ** 20).toFixed(1));

const HEADER = ['contender', 'status', 'wall s', 'events/s', 'peak RSS MiB', 'CPU s', 'output MiB', 'files', 'correct', 'load', 'first file s', 'p50 ms', 'p99 ms'];

function row(r: ContenderResult): string[] {
  const l = r.latency;
  return [
    r.name,
    r.status,
    fmt(r.wallSeconds, 2),
    int(r.eventsPerSecond),
    mib(r.peakRssBytes),
    fmt(r.cpuSeconds, 2),
    mib(r.outputBytes),
    r.outputFiles == null ? '—' : String(r.outputFiles),
    r.correctness ?? '—',
    fmt(r.loadBefore, 2),
    l ? fmt(l.firstFileSeconds, 2) : '—',
    l ? fmt(l.p50Ms, 0) : '—',
    l ? fmt(l.p99Ms, 0) : '—',
  ];
}

/** The results table as Markdown (also readable as plain text on stdout). */
export function resultsTable(results: ContenderResult[]): string {
  const rows = [HEADER, ...results.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function ratio(a: number | undefined | null, b: number | undefined | null): string {
  return a && b ? `${(a / b).toFixed(2)}x` : '—';
}

/** gamepipe against each Spark variant and against kcat, or why there is no ratio. */
export function ratios(results: ContenderResult[]): string[] {
  const by = (n: string) => results.find((r) => r.name === n && r.status === 'ok');
  const g = by('gamepipe');
  const gRow = results.find((r) => r.name === 'gamepipe');
  if (!g) return [`No ratios: gamepipe ${gRow ? `${gRow.status}: ${gRow.reason ?? ''}` : 'was not run (--only)'}.`];
  const out: string[] = [];
  for (const other of ['spark-udf', 'spark-builtin', 'kcat', 'kafkajs']) {
    const o = by(other);
    if (!o) {
      out.push(`gamepipe / ${other}: — (${other} did not run successfully)`);
      continue;
    }
    out.push(
      `gamepipe / ${other}: events/s ${ratio(g.eventsPerSecond, o.eventsPerSecond)}, peak RSS ${ratio(g.peakRssBytes, o.peakRssBytes)}, CPU s ${ratio(g.cpuSeconds, o.cpuSeconds)}`,
    );
  }
  for (const [name, names] of Object.entries(VARIANTS)) {
    const variant = by(name);
    const cost = variant && variantCostLine(names, g, variant);
    if (cost) out.push(cost);
  }
  return out;
}

function totalsLine(t: WorkloadTotals): string {
  return Object.entries(t)
    .map(([table, v]) => `${table}: ${v.rows} rows${Object.entries(v.sums).map(([f, s]) => `, sum(${f}) ${s}`).join('')}`)
    .join('; ');
}

/** The whole of bench/RESULTS.md. */
export function resultsMarkdown(r: BenchReport): string {
  const failures = r.results.filter((x) => x.status !== 'ok' || (x.latency?.error ?? ''));
  return [
    '# gamepipe vs PySpark Structured Streaming vs the read floor',
    '',
    `Written by \`${r.command}\` on ${r.date}. Every figure below was measured in that run; re-run the command to refresh it.`,
    '',
    '## Machine',
    '',
    ...Object.entries(r.machine).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Workload',
    '',
    `- ${r.events.toLocaleString('en-US')} seed-like events (bench/workload, seed 1) on topic \`${r.topic}\`, ${r.partitions} partitions, produced once by kafkajs in ${r.produced.seconds.toFixed(1)} s (${Math.round(r.produced.eventsPerSecond).toLocaleString('en-US')} events/s).`,
    `- Expected tables: ${totalsLine(r.expected)}.`,
    '',
    '## Results',
    '',
    resultsTable(r.results),
    '',
    `Each contender processed the whole topic ${r.rounds} time(s), in interleaved rounds; wall s, peak RSS and CPU s are medians over the successful runs.`,
    'wall s: process start to exit, whole topic (JVM start and Spark session included); events/s = events / median wall s;',
    'peak RSS: highest sum of VmRSS over all the contender\'s processes, sampled every 100 ms; CPU s: utime+stime of every',
    'process of the contender (getrusage of all reaped descendants); output: `*.parquet` files only; correct: the three',
    'tables read by DuckDB match the expected row counts and sums; load: 1-minute load average when the contender started',
    '(the machine is shared, so a high value means other work competed for the cores).',
    `Latency columns (${r.latencySettings}).`,
    '',
    '## Ratios',
    '',
    ...ratios(r.results).map((l) => `- ${l}`),
    '',
    '## Contenders',
    '',
    ...r.results.map((x) => `- **${x.name}**: ${x.description}${x.detail ? `. ${x.detail}` : ''}`),
    '',
    ...(failures.length
      ? ['## Failures and gaps', '', ...failures.flatMap((x) => [
          ...(x.status !== 'ok' ? [`- ${x.name} ${x.status}: ${x.reason ?? ''}`] : []),
          ...(x.latency?.error ? [`- ${x.name} latency: ${x.latency.error}`] : []),
        ]), '']
      : []),
    '## Totals read back',
    '',
    ...r.results.filter((x) => x.totals).map((x) => `- ${x.name}: ${totalsLine(x.totals!)}`),
    '',
  ].join('\n');
}
