import { dirname, relative, resolve } from 'node:path';
import { startApi, type RunningApi } from '../../api/server.js';
import { DEFAULT_CONSOLE_PORT, startConsole, type RunningConsole } from '../console/server.js';
import { localBrokerPort } from '../broker/brokers.js';
import { describeKafkaSettings, kafkaSettings, usesExternalCluster } from '../kafka/connection-settings.js';
import { kafkaClient } from '../kafka/client.js';
import { ensureTopic } from '../kafka/topics.js';
import { brokerDown, brokerPaths, brokerUp } from '../broker/local-broker.js';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';
import { DEFAULT_METRICS_PORT } from '../status/runner-status.js';
import { runJobs, type RunningJobs } from './run-jobs.js';
import { acquireStartLock } from './start-lock.js';
import { prefixed, prefixedLogger } from './start-output.js';

const USAGE = 'usage: gamepipe start [--jobs DIR] [--port N] [--metrics-port N] [--console-port N]';

const say = (name: string, text: string) => prefixed(name, text);

// The jobs run inside this process rather than as a `gamepipe-run` child: one Ctrl-C reaches one
// process that stops the API first (no new events), then the jobs (each commits its last batch),
// then the broker; and the output needs no second log pipe to re-prefix.

/** `gamepipe start` (npm start): the local broker, the game API and the job runner in one foreground process. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    jobs: { type: 'string' },
    port: { type: 'string' },
    'metrics-port': { type: 'string' },
    'console-port': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}'; ${USAGE}`, 2);
  const jobsDir = values.jobs ?? 'jobs';
  const apiPort = values.port === undefined ? undefined : intFlag(values.port, 'port', 5000);
  const metricsPort = intFlag(values['metrics-port'], 'metrics-port', DEFAULT_METRICS_PORT);
  const consolePort = intFlag(values['console-port'], 'console-port', DEFAULT_CONSOLE_PORT);
  const topic = process.env.GAMEPIPE_TOPIC?.trim() || 'events';

  const lock = await acquireStartLock();
  let brokerPort: number | undefined;
  let api: RunningApi | undefined;
  let jobs: RunningJobs | undefined;
  let webConsole: RunningConsole | undefined;
  const stopAll = async () => {
    await webConsole?.close().catch((err: Error) => say('console', `stop failed: ${err.message}`));
    await api?.close().catch((err: Error) => say('api', `stop failed: ${err.message}`));
    if (jobs) say('run', 'stopping: each job commits its open batch');
    await jobs?.stop().catch((err: Error) => say('run', `stop failed: ${err.message}`));
    if (brokerPort !== undefined) {
      say('kafka', 'stopping the broker this command started');
      await brokerDown(brokerPort);
    }
    await lock.release();
  };

  try {
    if (usesExternalCluster()) {
      say('kafka', `using ${describeKafkaSettings(kafkaSettings())} (from ${kafkaSettings().source}); no local broker started`);
    } else {
      const port = localBrokerPort();
      say('kafka', `starting the local broker on 127.0.0.1:${port} (the first run downloads Kafka into .gamepipe/kafka/)`);
      const up = await brokerUp(port);
      if (up.started) brokerPort = port;
      say('kafka', up.started ? `broker ready on ${up.address}; log: ${relative('.', brokerPaths(port).log)}` : `a broker already runs on ${up.address}; using it and leaving it running`);
    }
    // Created up front, so the jobs find their topic at once rather than waiting for the first API call.
    await ensureTopic(kafkaClient('gamepipe-start'), topic);
    say('kafka', `topic '${topic}' ready`);

    api = await startApi({ port: apiPort, topic, log: (line) => say('api', line) });
    say('api', `game API listening on ${api.url} (topic ${api.topic})`);

    jobs = await runJobs({
      paths: [jobsDir],
      log: prefixedLogger('run'),
      once: false,
      metricsPort,
      metricsPortExplicit: true,
      compactClosed: true,
      report: (line) => say('run', line),
    });
    // With metrics off there are no runner figures to read: port 0 never answers, so jobs show as stopped.
    webConsole = await startConsole({ paths: [jobsDir], port: consolePort, metricsUrl: jobs.metricsUrl ?? 'http://127.0.0.1:0' }).catch((err: Error) => {
      // The pipeline is what start is for; a console whose port is taken is reported, not fatal.
      say('console', `not started: ${err.message} (--console-port N)`);
      return undefined;
    });
    const sinks = jobs.supervisor.jobs().map((r) => r.job.spec.sink.path);
    const folders = [...new Set(sinks.map((p) => relative('.', dirname(resolve(p))) || '.'))];
    console.log(
      [
        '',
        `gamepipe is running: ${jobs.started} job(s) from ${jobsDir}/ (add, change or remove *.job.yaml files there at any time)`,
        `  game API  ${api.url}       try: curl ${api.url}/purchase_a_horse/3/large/1`,
        ...(webConsole ? [`  console   ${webConsole.url}       jobs, tables, SQL with charts, in a browser`] : []),
        `  tables    ${folders.map((f) => `${f}/`).join(', ')}   one folder per job, Parquet`,
        `  query     npx gamepipe query "SELECT size, count(*) FROM horse_purchases GROUP BY size"`,
        `  health    npx gamepipe status${jobs.metricsUrl ? `   (Prometheus: ${jobs.metricsUrl}/metrics)` : ''}`,
        '  compaction  closed dt= days with many small files are compacted in the background',
        '  Ctrl-C stops everything',
        '',
      ].join('\n'),
    );
  } catch (err) {
    await stopAll();
    throw err;
  }

  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // A second Ctrl-C while stopping ends at once; the commit protocol makes that safe, only slower to restart.
  process.once('SIGINT', () => process.exit(130));
  console.log(`\n${signal}: stopping`);
  await stopAll();
  console.log('stopped');
  return 0;
}
