import { kafkaClient } from '../kafka/client.js';
import { boundedWait, LEAVE_WAIT_MS } from '../bounded-wait.js';
import { JobSupervisor } from '../runtime/job-supervisor.js';
import type { Logger } from '../logger.js';
import { startAutoCompaction } from '../runtime/auto-compactor.js';
import { PipelineMetrics, serveMetrics } from '../runtime/metrics.js';
import { defaultParquetEncoder } from '../parquet/parquet-encoder.js';
import { UserError } from '../user-error.js';
import { handleKafkaRejections } from '../kafka/unhandled-rejections.js';

/** How `gamepipe-run` and `gamepipe start` run the jobs. */
export interface RunJobsOptions {
  paths: string[];
  log: Logger;
  once: boolean;
  /** Port of /metrics and /status; 0 serves none. */
  metricsPort: number;
  /** True when the port was chosen by the user: then a taken port is an error, else a warning. */
  metricsPortExplicit?: boolean;
  report?: (line: string) => void;
  /** Compact closed `dt=` partitions in the background (see startAutoCompaction). */
  compactClosed?: boolean;
  /** Settles when the caller wants to stop, possibly while the jobs still start (a signal). */
  stopRequested?: Promise<unknown>;
}

/** A running set of jobs with its metrics endpoint. */
export interface RunningJobs {
  supervisor: JobSupervisor;
  started: number;
  diagnostics: number;
  metricsUrl: string | undefined;
  /** Stops the jobs (each commits its open batch), then the metrics endpoint. */
  stop(): Promise<void>;
}

/** Starts the supervisor over `paths` and serves its metrics. */
export async function runJobs(options: RunJobsOptions): Promise<RunningJobs> {
  handleKafkaRejections(options.log);
  const kafka = kafkaClient('gamepipe-run');
  const admin = kafka.admin();
  // The supervisor reports to the metrics, and the metrics read its running jobs: it is asked
  // only when they are served, which is after both exist.
  const metrics = new PipelineMetrics(admin, { jobs: () => supervisor.jobs() });
  const supervisor = new JobSupervisor({
    paths: options.paths,
    kafka,
    encoder: defaultParquetEncoder(),
    log: options.log,
    once: options.once,
    events: metrics.events,
    report: options.report,
  });
  // Bound before the jobs start: a taken port is a clear error, not a half-started runner.
  let server: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  if (options.metricsPort > 0) {
    server = await serveMetrics(metrics, options.metricsPort).catch((err: NodeJS.ErrnoException) => {
      const message =
        err.code === 'EADDRINUSE'
          ? `metrics port ${options.metricsPort} on 127.0.0.1 is already in use; choose another with --metrics-port N (0 turns metrics off)`
          : `cannot serve metrics on port ${options.metricsPort}: ${err.message}`;
      // Several runners side by side (a rebalance, a second folder) must not fail over the default port.
      if (options.metricsPortExplicit) throw new UserError(message);
      options.log.warn({ port: options.metricsPort }, `${message}; running without metrics`);
      return undefined;
    });
  }
  // A stop asked for while the jobs start stops them there, rather than after they joined.
  void options.stopRequested
    ?.then(() => supervisor.stop())
    .catch((err: Error) => options.log.error({ error: err.message }, 'stop failed'));
  const { started, diagnostics } = await supervisor.start();
  const compactor = options.compactClosed && !options.once ? startAutoCompaction(supervisor, options.log) : undefined;
  return {
    supervisor,
    started,
    diagnostics: diagnostics.length,
    metricsUrl: server?.url,
    async stop() {
      await compactor?.stop();
      await supervisor.stop();
      await server?.close();
      await boundedWait(admin.disconnect(), LEAVE_WAIT_MS);
    },
  };
}
