import { openJobStore } from '../table/open-job-store.js';
import type { KafkaAdmin } from '../kafka/client.js';
import type { CompiledJob } from '../dsl/job-spec.js';
import { lastCommitAt, lagTargets, measureLag, type PartitionLag } from '../status/job-lag.js';
import { fixedTopics } from '../dsl/topic-pattern.js';
import type { JobStore } from '../table/job-store.js';
import type { RunnerStatus } from '../status/runner-status.js';
import type { Catalog, QueryResult } from './catalog.js';
import { tableStats } from './table-stats.js';

/** One line of `gamepipe status`. */
export interface JobHealth {
  job: string;
  state: string;
  error?: string;
  /** While the job runs on although its file no longer validates: the file's first error. */
  invalidFile?: string;
  /** Per partition; undefined when Kafka could not be asked. */
  lag: { topic?: string; partition: number; lag: number; end: number; committed: number | undefined }[] | undefined;
  lastBatchAt: string | undefined;
  /** What the tables hold; undefined when only the runner knows the job (its file no longer says where they are). */
  rows: number | undefined;
  rejected: number | undefined;
  files: number | undefined;
  bytes: number | undefined;
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
export async function jobHealth(jobs: CompiledJob[], catalog: Catalog, runner: RunnerStatus | undefined, admin: KafkaAdmin | undefined): Promise<JobHealth[]> {
  const stores = jobs.map((job) => ({ job, store: openJobStore(job) }));
  const lag: PartitionLag[] | undefined = admin ? await lagTargets(admin, stores).then((targets) => measureLag(admin, targets)).catch(() => undefined) : undefined;
  const stats = new Map((await tableStats(catalog)).map((s) => [s.table, s]));
  // From the table alone: the topics it holds checkpoints of need no Kafka (a pattern job's are listed from Kafka when it answers).
  const lastBatches = await Promise.all(stores.map(({ job, store }) => newestCommit(job, store, lag)));
  const valid = jobs.map(({ spec }, i): JobHealth => {
    const mine = lag?.filter((l) => l.job === spec.job);
    const out = stats.get(spec.job);
    const dead = stats.get(`${spec.job}_rejected`);
    const state = runner?.jobs.find((j) => j.job === spec.job);
    return {
      job: spec.job,
      // A runner that answers but has no such job has not picked the file up (yet), or rejected it.
      state: runner ? (state?.state ?? 'not loaded') : 'stopped',
      error: state?.error,
      invalidFile: state?.invalidFile,
      lag: mine?.map((l) => ({ topic: l.topic, partition: l.partition, lag: l.lag, end: l.end, committed: l.committed })),
      lastBatchAt: lastBatches[i] ?? state?.lastBatchAt,
      rows: out?.rows ?? 0,
      rejected: dead?.rows ?? 0,
      files: (out?.files ?? 0) + (dead?.files ?? 0),
      bytes: (out?.bytes ?? 0) + (dead?.bytes ?? 0),
    };
  });
  return [...valid, ...runningOnlyInRunner(runner, new Set(jobs.map((j) => j.spec.job)))];
}

/** The job's newest checkpoint time over its topics: its fixed ones, or those lag found for a pattern job. */
async function newestCommit(job: CompiledJob, store: JobStore, lag: PartitionLag[] | undefined): Promise<string | undefined> {
  const topics = fixedTopics(job.spec) ?? [...new Set(lag?.filter((l) => l.job === job.spec.job).map((l) => l.topic))];
  const times = await Promise.all(topics.map((topic) => lastCommitAt({ job: job.spec.job, topic, store })));
  return times.reduce<string | undefined>((newest, t) => (t && (!newest || t > newest) ? t : newest), undefined);
}

// A job whose file turned invalid is not among the loaded jobs, yet the runner runs it on: it is
// shown from what the runner says, lag included (measured through the runner's own store).
function runningOnlyInRunner(runner: RunnerStatus | undefined, loaded: Set<string>): JobHealth[] {
  const orphans = runner?.jobs.filter((s) => s.invalidFile && !loaded.has(s.job)) ?? [];
  return orphans.map((s) => ({
    job: s.job,
    state: s.state,
    error: s.error,
    invalidFile: s.invalidFile,
    lag: runner!.lag.filter((l) => l.job === s.job).map((l) => ({ partition: l.partition, lag: l.lag, end: l.end, committed: l.committed })),
    lastBatchAt: s.lastBatchAt,
    rows: undefined,
    rejected: undefined,
    files: undefined,
    bytes: undefined,
  }));
}

/** The state column: the state, then a failing job's error or an invalid file's first error. */
function stateText(h: JobHealth): string {
  const state = h.error ? `${h.state}: ${h.error}` : h.state;
  return h.invalidFile ? `${state}; invalid file: ${h.invalidFile}` : state;
}

/** How long ago `iso` was, in a few characters (`4s ago`, `12m ago`). */
export function agoText(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

const count = (n: number | undefined) => (n === undefined ? '?' : String(n));

/** The health lines as a result for the shared table / CSV / JSON printers. */
export function healthResult(health: JobHealth[], now = Date.now()): QueryResult {
  // A job of several topics names each partition's topic: `horses/p0=3 swords/p0=1`.
  const lagText = (h: JobHealth) => {
    if (!h.lag) return 'kafka unreachable';
    if (!h.lag.length) return 'no topic';
    const several = new Set(h.lag.map((l) => l.topic)).size > 1;
    return h.lag.map((l) => `${several ? `${l.topic}/` : ''}p${l.partition}=${l.lag}`).join(' ');
  };
  return {
    columns: ['job', 'state', 'lag', 'last batch', 'rows', 'rejected', 'files', 'bytes'],
    types: ['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BIGINT', 'BIGINT', 'BIGINT', 'BIGINT'],
    text: health.map((h) => [
      h.job,
      stateText(h),
      lagText(h),
      agoText(h.lastBatchAt, now),
      count(h.rows),
      count(h.rejected),
      count(h.files),
      count(h.bytes),
    ]),
    json: health.map((h) => [h.job, h.state, lagText(h), h.lastBatchAt ?? null, h.rows ?? null, h.rejected ?? null, h.files ?? null, h.bytes ?? null]),
  };
}
