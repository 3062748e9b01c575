import { quickAdmin, type KafkaAdmin } from '../kafka/client.js';
import { settingsRefusal } from '../kafka/client-errors.js';
import { describeKafkaSettings, kafkaSettings } from '../kafka/connection-settings.js';
import { openCatalog } from '../query/catalog.js';
import { fetchRunnerStatus, healthResult, jobHealth } from '../query/job-status.js';
import { jobTables, loadJobsForQuery } from '../query/job-tables.js';
import { CATALOG_FLAGS, jobPaths, outputFormat } from '../query/open-job-catalog.js';
import { formatResult } from '../query/result-format.js';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';
import { DEFAULT_METRICS_URL } from '../status/runner-status.js';

const USAGE = 'usage: gamepipe status [--jobs <dir or files>]... [--watch [--interval S]] [--metrics-url URL] [--csv | --json]';

/** `gamepipe status`: per job, state, lag per partition, last batch, rows, dead letters, files and bytes. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    ...CATALOG_FLAGS,
    watch: { type: 'boolean' },
    interval: { type: 'string' },
    'metrics-url': { type: 'string' },
  });
  if (values.help) {
    console.log(`${USAGE}\n  state comes from the runner's /status (default ${DEFAULT_METRICS_URL}); 'stopped' when none answers`);
    return 0;
  }
  if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}'; ${USAGE}`, 2);
  const format = outputFormat(values);
  const intervalMs = intFlag(values.interval, 'interval', 2, 1, 3600) * 1000;
  const metricsUrl = values['metrics-url'] ?? DEFAULT_METRICS_URL;
  const paths = jobPaths(values.jobs);
  // Which cluster the lag comes from (no secret in it); above the table only, so --csv and --json stay data.
  const cluster = `kafka: ${describeKafkaSettings(kafkaSettings())}`;

  // A status command must answer in a second or two when Kafka is down, so no long retries here.
  const admin = quickAdmin('gamepipe-status');
  // Kafka down leaves the lag unknown; Kafka refusing the settings is the user's to fix: said at once.
  const connected: KafkaAdmin | undefined = await admin.connect().then(
    () => admin,
    async (err: unknown) => {
      const refused = settingsRefusal(err);
      if (!refused) return undefined;
      await admin.disconnect().catch(() => {});
      throw refused;
    },
  );
  try {
    for (;;) {
      // Job files are read again each round: --watch follows jobs added to the folder.
      const jobs = await loadJobsForQuery(paths);
      const catalog = await openCatalog(jobTables(jobs));
      let text: string;
      try {
        const health = await jobHealth(jobs, catalog, await fetchRunnerStatus(metricsUrl), connected);
        text = format === 'json' ? JSON.stringify(health) : formatResult(healthResult(health), format);
        if (format === 'table') text = `${cluster}\n${text}`;
      } finally {
        catalog.close();
      }
      if (!values.watch) {
        console.log(text);
        return 0;
      }
      process.stdout.write(`\x1b[2J\x1b[H${new Date().toISOString()}  (every ${intervalMs / 1000}s; Ctrl-C quits)\n${text}\n`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
