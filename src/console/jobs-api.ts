import { resolve } from 'node:path';
import { agoText, fetchRunnerStatus, jobHealth } from '../query/job-status.js';
import { sqlIdent } from '../sql-text.js';
import { tableStats } from '../query/table-stats.js';
import type { CatalogKeeper } from './catalog-keeper.js';
import { fixedTopics } from '../dsl/topic-pattern.js';
import { readJobFolder } from './job-folder.js';
import type { LagAdmin } from '../kafka/lag-admin.js';
import type { RateHistory, RatePoint } from './rate-history.js';
import { fetchRunnerMetrics } from './runner-metrics.js';

/** One job file as the Jobs view shows it. */
export interface JobRow {
  file: string;
  /** Undefined for a file too broken to name its job. */
  job: string | undefined;
  /** running, failing, stopped, starting, done, not loaded (by a running runner), or invalid. */
  state: string;
  /** The failing job's reason; for an invalid file, that its last valid version still runs. */
  error?: string;
  /** An invalid file's validate errors, `file:line:col: error: message`. */
  errors?: string[];
  /** The job's topic, its topics (`a, b`) or its pattern between slashes (`/shop-[a-z]+/`). */
  topic?: string;
  partitions?: { topic: string; partition: number; lag: number }[];
  lag?: number;
  lastBatchAt?: string;
  /** `12s ago`, `never`: as `gamepipe status` says it. */
  lastBatch?: string;
  rows?: number;
  rejected?: number;
  batchAvgMs?: number;
  rate: RatePoint[];
}

/** Where the console finds the jobs and their live figures. */
export interface JobSources {
  paths: string[];
  metricsUrl: string;
  keeper: CatalogKeeper;
  admin: LagAdmin;
  rates: RateHistory;
}

/** GET /api/jobs: every job file in the folder with its state and figures, valid ones first in file order. */
export async function listJobs(sources: JobSources): Promise<JobRow[]> {
  const folder = await readJobFolder(sources.paths);
  const [runner, metrics, admin] = await Promise.all([fetchRunnerStatus(sources.metricsUrl), fetchRunnerMetrics(sources.metricsUrl), sources.admin.get()]);
  const health = await sources.keeper.use(folder.tables, (catalog) => jobHealth(folder.jobs, catalog, runner, admin));
  const rows: JobRow[] = folder.jobs.map(({ spec }, i) => {
    const h = health[i]!;
    return {
      file: spec.file,
      job: spec.job,
      state: h.state,
      error: h.error,
      topic: spec.source.topicPattern !== undefined ? `/${spec.source.topicPattern}/` : (fixedTopics(spec) ?? []).join(', '),
      partitions: h.lag
        ?.map((l) => ({ topic: l.topic ?? spec.source.topic, partition: l.partition, lag: l.lag }))
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      lag: h.lag?.reduce((sum, l) => sum + l.lag, 0),
      lastBatchAt: h.lastBatchAt,
      lastBatch: agoText(h.lastBatchAt),
      rows: h.rows,
      rejected: h.rejected,
      batchAvgMs: metrics.get(spec.job)?.batchAvgMs,
      rate: sources.rates.series(spec.job),
    };
  });
  for (const bad of folder.invalid) {
    // The runner may still run the file's last valid version: say so beside the errors.
    const old = runner?.jobs.find((j) => j.invalidFile && j.file === resolve(bad.file));
    const error = old && `job ${old.job} keeps running its last valid version (${old.state})`;
    rows.push({ file: bad.file, job: old?.job, state: 'invalid', error, errors: bad.errors, rate: [] });
  }
  return rows.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Feeds the rows-per-second history: the runner's count of rows written while one runs, else the
 * rows the tables hold (so rows written by a runner elsewhere still show).
 */
export async function sampleRates(sources: JobSources): Promise<void> {
  const runner = await fetchRunnerStatus(sources.metricsUrl);
  const at = Date.now();
  if (runner) {
    for (const s of runner.jobs) sources.rates.record(s.job, s.rowsWritten, `runner ${runner.pid} ${runner.startedAt}`, at);
    return;
  }
  // The job files only matter without a runner: the tables are read then.
  const folder = await readJobFolder(sources.paths);
  const stats = await sources.keeper.use(folder.tables, tableStats);
  for (const s of stats) if (s.table === s.job) sources.rates.record(s.job, s.rows, 'tables', at);
}

const RAW_EVENT_CHARS = 4096;

/** GET /api/jobs/:job/rejected: the newest dead letters of a job, with their reasons. */
export async function rejectedRows(sources: JobSources, job: string, limit = 200): Promise<{ columns: string[]; rows: unknown[][] } | undefined> {
  const folder = await readJobFolder(sources.paths);
  const table = folder.tables.find((t) => t.job === job && t.kind === 'rejected');
  if (!table) return undefined;
  // A raw event may be as long as the job's max_record_bytes: the page shows the start of each.
  const rawEvent = `CASE WHEN length(raw_event) > ${RAW_EVENT_CHARS} THEN left(raw_event, ${RAW_EVENT_CHARS}) || '…[cut ' || (length(raw_event) - ${RAW_EVENT_CHARS}) || ' chars]' ELSE raw_event END AS raw_event`;
  const sql = `SELECT reason, ${rawEvent}, topic, "partition", "offset", kafka_timestamp FROM ${sqlIdent(table.name)} ORDER BY kafka_timestamp DESC, "offset" DESC LIMIT ${limit}`;
  const result = await sources.keeper.use(folder.tables, (catalog) => catalog.query(sql));
  return { columns: result.columns, rows: result.text };
}
