// Folds the runs of `npm run bench:kafka-clients` into one row per client and the markdown table.
import { median } from '../compare/combine-runs.js';

/** One measured run of one client. */
export interface Sample {
  /** 1-minute load average when the run started. */
  load: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  /** From process start to the first record (node clients only). */
  firstRecordSeconds?: number;
  /** From the first record to the last (node clients only). */
  readSeconds?: number;
}

/** Medians of one client's runs. */
export interface Row {
  name: string;
  description: string;
  runs: number;
  processRate: number;
  readRate?: number;
  firstRecordSeconds?: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

export function summarize(name: string, description: string, samples: Sample[], events: number): Row {
  const read = median(samples.map((s) => s.readSeconds));
  return {
    name,
    description,
    runs: samples.length,
    processRate: events / median(samples.map((s) => s.wallSeconds))!,
    readRate: read ? events / read : undefined,
    firstRecordSeconds: median(samples.map((s) => s.firstRecordSeconds)),
    cpuSeconds: median(samples.map((s) => s.cpuSeconds))!,
    peakRssBytes: median(samples.map((s) => s.peakRssBytes))!,
  };
}

const int = (v: number | undefined) => (v === undefined ? '—' : Math.round(v).toLocaleString('en-US'));
const ratio = (v: number | undefined, base: number | undefined) => (v === undefined || !base ? '—' : `${(v / base).toFixed(2)}x`);

/** The results table; ratios are against the `baseline` client's medians. */
export function markdownTable(rows: Row[], baseline: string): string {
  const base = rows.find((r) => r.name === baseline);
  const header = ['client', 'runs', 'events/s (process)', 'events/s (reading)', `reading vs ${baseline}`, 's to first record', 'CPU s', `CPU vs ${baseline}`, 'peak RSS MiB', 'what'];
  const lines = rows.map((r) => [
    r.name,
    String(r.runs),
    int(r.processRate),
    int(r.readRate),
    ratio(r.readRate, base?.readRate),
    r.firstRecordSeconds === undefined ? '—' : r.firstRecordSeconds.toFixed(2),
    r.cpuSeconds.toFixed(2),
    ratio(r.cpuSeconds, base?.cpuSeconds),
    (r.peakRssBytes / 2 ** 20).toFixed(0),
    r.description,
  ]);
  return [header, header.map(() => '---'), ...lines].map((l) => `| ${l.join(' | ')} |`).join('\n');
}
