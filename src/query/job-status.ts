import { openJobStore } from '../table/open-job-store.js';
import type { Admin } from 'kafkajs';
import type { CompiledJob } from '../dsl/job-spec.js';
import { lagTarget, lastCommitAt, measureLag, type PartitionLag } from '../runtime/job-lag.js';
import type { RunnerStatus } from '../runtime/metrics.js';
import type { Catalog, QueryResult } from './catalog.js';
import { tableStats } from './table-stats.js';

/** One line of `gamepipe status`. */
export interface JobHealth {
  job: string;
  state: string;
  error?: string;
  /** Per partition; undefined when Kafka could not be asked. */
  lag: { partition: number; lag: number; end: number; committed: number | undefined }[] | undefined;
  lastBatchAt: string | undefined;
  rows: number;
  rejected: number;
  files: number;
  bytes: number;
}

/** Asks a runner's /status endpoint; undefined when none answers (the runner is stopped). */
export async function fetchRunnerStatus(metricsUrl: string): Promise<RunnerStatus | undefined> {
  try {
    const res = await fetch(`${metricsUrl.replace(/\/$/, '')}/status`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as RunnerStatus) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every job's health: its state from the runner (or `stopped`), lag from Kafka's end offsets and the
 * sink checkpoints, the last batch from the newest checkpoint, and what its tables hold on disk.
 */
export async function jobHealth(jobs: CompiledJob[], catalog: Catalog, runner: RunnerStatus | undefined, admin: Admin | undefined): Promise<JobHealth[]> {
  const targets = jobs.map((j) => lagTarget(j, openJobStore(j)));
  const lag: PartitionLag[] | undefined = admin ? await measureLag(admin, targets).catch(() => undefined) : undefined;
  const stats = new Map((await tableStats(catalog)).map((s) => [s.table, s]));
  const lastBatches = await Promise.all(targets.map(lastCommitAt));
  return jobs.map(({ spec }, i) => {
    const mine = lag?.filter((l) => l.job === spec.job);
    const out = stats.get(spec.job);
    const dead = stats.get(`${spec.job}_rejected`);
    const state = runner?.jobs.find((j) => j.job === spec.job);
    return {
      job: spec.job,
      // A runner that answers but has no such job has not picked the file up (yet), or rejected it.
      state: runner ? (state?.state ?? 'not loaded') : 'stopped',
      error: state?.error,
      lag: mine?.map((l) => ({ partition: l.partition, lag: l.lag, end: l.end, committed: l.committed })),
      lastBatchAt: lastBatches[i] ?? state?.lastBatchAt,
      rows: out?.rows ?? 0,
      rejected: dead?.rows ?? 0,
      files: (out?.files ?? 0) + (dead?.files ?? 0),
      bytes: (out?.bytes ?? 0) + (dead?.bytes ?? 0),
    };
  });
}

/** How long ago `iso` was, in a few characters (`4s ago`, `12m ago`). */
export function agoText(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/** The health lines as a result for the shared table / CSV / JSON printers. */
export function healthResult(health: JobHealth[], now = Date.now()): QueryResult {
  const lagText = (h: JobHealth) => (h.lag ? (h.lag.length ? h.lag.map((l) => `p${l.partition}=${l.lag}`).join(' ') : 'no topic') : 'kafka unreachable');
  return {
    columns: ['job', 'state', 'lag', 'last batch', 'rows', 'rejected', 'files', 'bytes'],
    types: ['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BIGINT', 'BIGINT', 'BIGINT', 'BIGINT'],
    text: health.map((h) => [
      h.job,
      h.error ? `${h.state}: ${h.error}` : h.state,
      lagText(h),
      agoText(h.lastBatchAt, now),
      String(h.rows),
      String(h.rejected),
      String(h.files),
      String(h.bytes),
    ]),
    json: health.map((h) => [h.job, h.state, lagText(h), h.lastBatchAt ?? null, h.rows, h.rejected, h.files, h.bytes]),
  };
}
