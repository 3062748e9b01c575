import { UserError } from '../user-error.js';
import { takeKafkaConfigFlag } from './kafka-config-flag.js';

/** `kafka`: the command talks to Kafka, so its connection settings are loaded (and checked) before it starts. */
type Subcommand = { summary: string; kafka?: true; load: () => Promise<{ run(args: string[]): Promise<number> }> };

// Subcommands load lazily so `gamepipe validate` never pays for Kafka or DuckDB start-up.
const SUBCOMMANDS: Record<string, Subcommand> = {
  start: { kafka: true, summary: 'start  run the whole local pipeline (npm start)', load: () => import('./start.js') },
  run: { kafka: true, summary: 'run [--once] <jobs>  run the jobs (also: gamepipe-run)', load: () => import('./run.js') },
  kafka: { kafka: true, summary: 'kafka up|down|status|logs  manage the local development broker', load: () => import('./kafka.js') },
  s3: { summary: 's3 up|down|status|env|logs|install  manage the local S3 (MinIO) for development', load: () => import('./s3.js') },
  api: { kafka: true, summary: 'api [--port N] [--host ADDR] [--topic NAME]  serve the game API', load: () => import('./api.js') },
  generate: { summary: 'generate <scenario.yaml> [--url U] [--concurrency N]  replay a scenario against the API', load: () => import('./generate.js') },
  query: { kafka: true, summary: 'query ["<SQL>"] [--jobs DIR] [--csv|--json]  SQL over the job tables (no SQL: a prompt)', load: () => import('./query.js') },
  tables: { summary: 'tables [--jobs DIR] [--csv|--json]  list job tables: rows, files, bytes', load: () => import('./tables.js') },
  status: { kafka: true, summary: 'status [--jobs DIR] [--watch] [--metrics-url U]  job state, lag, last batch, rows, files', load: () => import('./status.js') },
  console: { kafka: true, summary: 'console [--jobs DIR] [--port N] [--host ADDR]  web console: jobs, tables, SQL with charts (port 8080)', load: () => import('./console.js') },
  compact: { summary: 'compact <job> [--jobs DIR] [--include-today]  rewrite a table\'s small files into few large ones', load: () => import('./compact.js') },
  validate: { summary: 'validate [--format json] <files or dirs>  check job files', load: () => import('./validate.js') },
  test: { summary: 'test <files or dirs>  run the tests: of job files', load: () => import('./test.js') },
};

function usage(): string {
  const lines = Object.values(SUBCOMMANDS).map((s) => `  gamepipe ${s.summary}`);
  return [
    'usage: gamepipe <command> [options]',
    '',
    ...lines,
    '',
    'every command takes --kafka-config FILE: the Kafka client properties to connect with (else KAFKA_CONFIG_FILE)',
  ].join('\n');
}

/** Entry point of the `gamepipe` binary: dispatches to one subcommand and sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  let args: string[];
  try {
    args = takeKafkaConfigFlag(argv);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    console.error(`gamepipe: ${err.message}`);
    process.exitCode = err.exitCode;
    return;
  }
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    process.exitCode = name ? 0 : 2;
    return;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    console.error(`gamepipe: unknown command '${name}'\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  try {
    if (sub.kafka) {
      // A bad properties file fails here, in one line, before anything starts or connects.
      const { kafkaSettings } = await import('../kafka/connection-settings.js');
      kafkaSettings();
    }
    const mod = await sub.load();
    process.exitCode = await mod.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      console.error(`gamepipe ${name}: ${err.message}`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}
