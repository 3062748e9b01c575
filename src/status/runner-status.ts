import type { PartitionLag } from './job-lag.js';

// What the runner's /metrics and /status endpoint serves, as its readers (`gamepipe status`, the
// console) see it: where it listens by default and the JSON body of GET /status. The runner
// writes this shape; the readers only parse it.

/** The default port of the runner's /metrics and /status (the Prometheus exporter convention). */
export const DEFAULT_METRICS_PORT = 9464;

/** Where the runner's /metrics and /status are by default, for the commands that read them. */
export const DEFAULT_METRICS_URL = `http://127.0.0.1:${DEFAULT_METRICS_PORT}`;

/** The states a job is reported in; the runner's own job state must be one of them. */
export type RunnerJobState = 'starting' | 'running' | 'stopped' | 'failing' | 'done';

/** One job as the runner's /status endpoint reports it. */
export interface JobStatus {
  job: string;
  /** The job file's absolute path (readers elsewhere match files by it); undefined once the job no longer runs here. */
  file?: string;
  state: RunnerJobState;
  error?: string;
  /**
   * While the job's file does not validate: its first error (`file:line:col: error: message`).
   * The job runs on as it was before the file turned invalid.
   */
  invalidFile?: string;
  /** When the job entered its state, ISO time. */
  since: string;
  /** The last committed batch, ISO time; undefined before the first one in this process. */
  lastBatchAt?: string;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  batches: number;
}

/** The body of GET /status. */
export interface RunnerStatus {
  pid: number;
  /** The Kafka cluster the runner reads, as describeKafkaSettings() puts it: brokers, protocol, mechanism and user, never a secret. */
  kafka?: string;
  startedAt: string;
  jobs: JobStatus[];
  lag: PartitionLag[];
}
