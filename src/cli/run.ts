import { log } from '../logger.js';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';
import { DEFAULT_METRICS_PORT } from '../status/runner-status.js';
import { runJobs } from './run-jobs.js';
import { exitSoon, watchStopSignals } from './stop-signals.js';

const USAGE = 'usage: gamepipe-run [--once] [--metrics-port N] [--compact-closed] [--kafka-config FILE] <job files or folders>';

/** `gamepipe run` / `gamepipe-run`: runs every job under the given paths until stopped. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    once: { type: 'boolean' },
    'metrics-port': { type: 'string' },
    'compact-closed': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(`${USAGE}\n  --metrics-port N  serve /metrics (Prometheus) and /status on 127.0.0.1:N (default ${DEFAULT_METRICS_PORT}; 0: off; --once: off unless given)\n  --compact-closed  compact closed dt= partitions (days before today, UTC) with many small files, in the background`);
    return 0;
  }
  if (positionals.length === 0) throw new UserError(USAGE, 2);
  const once = values.once ?? false;
  // Watched before the jobs start: a signal while they start (a broker that is slow to answer)
  // still stops them the same way.
  const signals = watchStopSignals(log);
  const running = await runJobs({
    paths: positionals,
    log,
    once,
    // A --once run is a batch job; it serves metrics only when asked, so runs side by side never clash.
    metricsPort: intFlag(values['metrics-port'], 'metrics-port', once ? 0 : DEFAULT_METRICS_PORT, 0, 65535),
    metricsPortExplicit: values['metrics-port'] !== undefined,
    compactClosed: values['compact-closed'] ?? false,
    stopRequested: signals.first,
  });
  if (running.started === 0 && (once || running.diagnostics > 0)) {
    await running.stop();
    throw new UserError(running.diagnostics ? 'no valid job to run (see the errors above)' : `no *.job.yaml found in ${positionals.join(' ')}`);
  }
  if (running.metricsUrl) log.info({ url: running.metricsUrl }, 'serving /metrics and /status');

  if (once) {
    // --once ends when each job's partitions (the share its group gave this process) are read to
    // the end offsets seen at start and committed; a signal stops it early, as a streaming run.
    const signal = await Promise.race([running.supervisor.whenAllDone().then(() => undefined), signals.first]);
    await running.stop();
    const refused = running.supervisor.settingsRefused;
    // The settings' refusal is the same for every job: said once.
    if (refused) console.error(`gamepipe run: ${refused.message}`);
    else for (const [job, error] of running.supervisor.failed) console.error(`gamepipe run: job ${job} failed: ${error}`);
    if (signal) console.error(`gamepipe run: stopped by ${signal} before every job reached the end offsets seen at start`);
    const code = signal || running.supervisor.failures > 0 || running.diagnostics > 0 ? 1 : 0;
    exitSoon(code);
    return code;
  }
  const refused = await Promise.race([signals.first.then(() => undefined), running.supervisor.whenSettingsRefused]);
  await running.stop();
  if (refused) console.error(`gamepipe run: ${refused.message}`);
  const code = refused ? 1 : 0;
  exitSoon(code);
  return code;
}
