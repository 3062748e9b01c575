import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { KafkaAdmin } from '../kafka/client.js';
import { describeKafkaSettings, kafkaSettings } from '../kafka/connection-settings.js';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FlushResult } from './job-runner/commit-sealed-batch.js';
import type { SupervisorOptions } from './job-supervisor.js';
import { lagTargets, measureLag, type PartitionLag } from '../status/job-lag.js';
import type { JobStatus, RunnerStatus } from '../status/runner-status.js';
import { combinedJobState, type PartState } from './job-state.js';
import type { JobRoster } from './running-jobs.js';

// Taken from the supervisor's options, the contract metrics is fed through, wherever the runtime defines them.
type JobEvents = NonNullable<SupervisorOptions['events']>;
type JobState = Parameters<NonNullable<JobEvents['onState']>>[1];

const STATES: JobState[] = ['starting', 'running', 'stopped', 'failing', 'done'];
const LAG_CACHE_MS = 1000;

/**
 * The runner's figures, fed by JobEvents: counters and a batch-duration histogram in a prom-client
 * registry, and the same figures as JSON for `gamepipe status`. Lag and invalid job files are
 * read from the supervisor's running jobs when asked for.
 */
export class PipelineMetrics {
  readonly registry = new Registry();
  private readonly jobs = new Map<string, JobStatus>();
  /** Per job, the last state each of its runners (one per topic) reported. */
  private readonly partStates = new Map<string, Map<string, PartState>>();
  private readonly startedAt = new Date().toISOString();
  private lagCache: { at: number; rows: Promise<PartitionLag[]> } | undefined;
  private readonly read: Counter<'job'>;
  private readonly written: Counter<'job'>;
  private readonly rejected: Counter<'job'>;
  private readonly files: Counter<'job'>;
  private readonly bytes: Counter<'job'>;
  private readonly duration: Histogram<'job'>;

  /** The JobEvents to hand to the JobSupervisor. */
  readonly events: JobEvents = {
    onCommit: (job, result) => this.onCommit(job, result),
    onState: (job, state, error, topic) => this.onState(job, state, error, topic),
  };

  constructor(
    private readonly admin: KafkaAdmin,
    private readonly roster: JobRoster,
  ) {
    const registers = [this.registry];
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['job'] as const, registers });
    this.read = counter('gamepipe_rows_read_total', 'Kafka records read and decided on (written, rejected or skipped)');
    this.written = counter('gamepipe_rows_written_total', 'rows committed to the job table');
    this.rejected = counter('gamepipe_rows_rejected_total', 'records committed to the dead-letter table');
    this.files = counter('gamepipe_files_written_total', 'Parquet files committed');
    this.bytes = counter('gamepipe_bytes_written_total', 'bytes of Parquet committed');
    this.duration = new Histogram({
      name: 'gamepipe_batch_duration_seconds',
      help: 'time to encode and commit one partition batch',
      labelNames: ['job'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({
      name: 'gamepipe_job_state',
      help: '1 for the state each job is in, 0 for the others',
      labelNames: ['job', 'state'] as const,
      registers,
      collect: () => {
        const gauge = this.registry.getSingleMetric('gamepipe_job_state') as Gauge<'job' | 'state'>;
        gauge.reset();
        for (const s of this.jobs.values()) for (const state of STATES) gauge.set({ job: s.job, state }, s.state === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'gamepipe_last_batch_timestamp_seconds',
      help: 'when the job last committed a batch (Unix time)',
      labelNames: ['job'] as const,
      registers,
      collect: () => {
        const gauge = this.registry.getSingleMetric('gamepipe_last_batch_timestamp_seconds') as Gauge<'job'>;
        for (const s of this.jobs.values()) if (s.lastBatchAt) gauge.set({ job: s.job }, Date.parse(s.lastBatchAt) / 1000);
      },
    });
    const invalidGauge = new Gauge({
      name: 'gamepipe_job_file_invalid',
      help: '1 while the job file does not validate and the job runs on as it was before, else 0',
      labelNames: ['job'] as const,
      registers,
      collect: () => {
        invalidGauge.reset();
        for (const r of this.roster.jobs()) invalidGauge.set({ job: r.job.spec.job }, r.invalidFile ? 1 : 0);
      },
    });
    const lagGauge = new Gauge({
      name: 'gamepipe_lag_records',
      help: 'Kafka end offset minus the sink checkpoint, per job and partition',
      labelNames: ['job', 'topic', 'partition'] as const,
      registers,
      collect: async () => {
        lagGauge.reset();
        for (const l of await this.lag()) lagGauge.set({ job: l.job, topic: l.topic, partition: String(l.partition) }, l.lag);
      },
    });
  }

  /** The JSON that GET /status serves. */
  async status(): Promise<RunnerStatus> {
    const running = new Map(this.roster.jobs().map((r) => [r.job.spec.job, r]));
    const jobs = [...this.jobs.values()].map((s): JobStatus => {
      const r = running.get(s.job);
      return r ? { ...s, file: resolve(r.job.spec.file), ...(r.invalidFile && { invalidFile: r.invalidFile }) } : s;
    });
    return { pid: process.pid, kafka: describeKafkaSettings(kafkaSettings()), startedAt: this.startedAt, jobs, lag: await this.lag() };
  }

  private lag(): Promise<PartitionLag[]> {
    if (!this.lagCache || Date.now() - this.lagCache.at > LAG_CACHE_MS) {
      const rows = lagTargets(this.admin, this.roster.jobs())
        .then((targets) => measureLag(this.admin, targets))
        .catch(() => [] as PartitionLag[]);
      this.lagCache = { at: Date.now(), rows };
    }
    return this.lagCache.rows;
  }

  private job(name: string): JobStatus {
    let s = this.jobs.get(name);
    if (!s) {
      s = { job: name, state: 'starting', since: new Date().toISOString(), rowsRead: 0, rowsWritten: 0, rowsRejected: 0, batches: 0 };
      this.jobs.set(name, s);
    }
    return s;
  }

  private onCommit(name: string, result: FlushResult): void {
    if (result.outcome !== 'committed') return;
    const s = this.job(name);
    s.lastBatchAt = new Date().toISOString();
    s.batches++;
    s.rowsRead += result.readRecords;
    s.rowsWritten += result.rows;
    s.rowsRejected += result.rejected;
    this.read.inc({ job: name }, result.readRecords);
    this.written.inc({ job: name }, result.rows);
    this.rejected.inc({ job: name }, result.rejected);
    this.files.inc({ job: name }, result.files.length);
    this.bytes.inc({ job: name }, result.bytes);
    this.duration.observe({ job: name }, result.durationMs / 1000);
  }

  private onState(name: string, state: JobState, error: string | undefined, topic = ''): void {
    let parts = this.partStates.get(name);
    if (!parts) this.partStates.set(name, (parts = new Map()));
    parts.set(topic, { state, error });
    const combined = combinedJobState(parts.values());
    const s = this.job(name);
    if (s.state !== combined.state) s.since = new Date().toISOString();
    s.state = combined.state;
    if (combined.state === 'failing') s.error = combined.error;
    else if (combined.state === 'running') delete s.error;
  }
}

/** Serves GET /metrics (Prometheus text) and GET /status (JSON) on 127.0.0.1:`port`. */
export async function serveMetrics(metrics: PipelineMetrics, port: number, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = async () => {
      if (path === '/metrics') {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
      } else if (path === '/status') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await metrics.status()));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /status\n');
      }
    };
    answer().catch((err: Error) => res.writeHead(500).end(`${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
