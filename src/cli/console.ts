import { DEFAULT_CONSOLE_PORT, startConsole } from '../console/server.js';
import { jobPaths } from '../query/open-job-catalog.js';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';
import { DEFAULT_METRICS_URL } from '../status/runner-status.js';

const USAGE = 'usage: gamepipe console [--jobs DIR]... [--port N] [--host ADDRESS] [--metrics-url URL]';

/** `gamepipe console`: the web console (jobs, tables, SQL) until SIGINT/SIGTERM. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    jobs: { type: 'string', multiple: true },
    port: { type: 'string' },
    host: { type: 'string' },
    'metrics-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(`${USAGE}\n  live figures come from the runner's /status and /metrics (default ${DEFAULT_METRICS_URL})`);
    return 0;
  }
  if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}'; ${USAGE}`, 2);
  const console_ = await startConsole({
    paths: jobPaths(values.jobs),
    port: intFlag(values.port, 'port', DEFAULT_CONSOLE_PORT),
    host: values.host,
    metricsUrl: values['metrics-url'] ?? DEFAULT_METRICS_URL,
  });
  console.log(`gamepipe console on ${console_.url}; Ctrl-C stops it`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  console.log(`${signal}: stopping the console`);
  await console_.close();
  return 0;
}
