// The Spark contenders: installs PySpark into bench/.venv (untimed), fetches the Kafka source jars
// from Maven Central once (untimed), and builds the stream_job.py command lines.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPARK_DIR = fileURLToPath(new URL('../spark/', import.meta.url));
const JOB = `${SPARK_DIR}stream_job.py`;
const IVY = fileURLToPath(new URL('../.venv/ivy2', import.meta.url));

/** The pinned PySpark version from bench/spark/requirements.txt. */
export function pinnedSparkVersion(): string {
  const m = /^pyspark==(\S+)/m.exec(readFileSync(`${SPARK_DIR}requirements.txt`, 'utf8'));
  if (!m) throw new Error('bench/spark/requirements.txt does not pin pyspark==<version>');
  return m[1]!;
}

/** The Maven coordinate of the Kafka source matching the pinned Spark (Scala 2.12 build). */
export function sparkKafkaPackage(version = pinnedSparkVersion()): string {
  return `org.apache.spark:spark-sql-kafka-0-10_2.12:${version}`;
}

/** The Spark set-up result: the venv's python, or exactly what failed. */
export type SparkSetup = { ok: true; python: string; version: string } | { ok: false; reason: string };

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

/** Environment for every Spark process: loopback only, and UDF workers on the venv's python. */
export function sparkEnv(python: string): NodeJS.ProcessEnv {
  return { ...process.env, SPARK_LOCAL_IP: '127.0.0.1', PYSPARK_PYTHON: python };
}

/** Runs bench/spark/setup.sh and a resolve-only session, so timed runs pay for neither. */
export function prepareSpark(log: (line: string) => void): SparkSetup {
  log('spark: checking bench/.venv against bench/spark/requirements.txt (installs on the first run)');
  const setup = spawnSync('bash', [`${SPARK_DIR}setup.sh`], { encoding: 'utf8', timeout: 900_000 });
  if (setup.status !== 0) return { ok: false, reason: `bench/spark/setup.sh failed: ${tail(setup.stderr || setup.stdout || String(setup.error))}` };
  const python = setup.stdout.trim().split('\n').at(-1)!;
  const version = pinnedSparkVersion();
  log(`spark: resolving ${sparkKafkaPackage(version)} through Ivy (cached after the first run)`);
  const resolve = spawnSync(python, [JOB, '--variant', 'builtin', '--topic', 'unused', '--out', '/tmp/unused', '--package', sparkKafkaPackage(version), '--ivy', IVY, '--resolve-only'], {
    encoding: 'utf8',
    timeout: 600_000,
    env: sparkEnv(python),
  });
  if (resolve.status !== 0) return { ok: false, reason: `a Spark session with ${sparkKafkaPackage(version)} did not start: ${tail(resolve.stderr)}` };
  return { ok: true, python, version };
}

/** Options of one stream_job.py run. */
export interface SparkJobOptions {
  variant: 'udf' | 'builtin';
  topic: string;
  brokers: string[];
  outDir: string;
  /** '10 seconds', 'available-now' or 'asap'. */
  trigger: string;
  /** Stop once every query committed these offsets; omit to run until SIGTERM. */
  endOffsets?: Record<string, number>;
  driverMemory?: string;
}

/** The arguments for `python` running stream_job.py with `options` on local[2]. */
export function sparkJobArgs(options: SparkJobOptions): string[] {
  const args = [
    JOB, '--variant', options.variant, '--topic', options.topic, '--bootstrap', options.brokers.join(','),
    '--out', options.outDir, '--trigger', options.trigger, '--master', 'local[2]',
    '--driver-memory', options.driverMemory ?? '2g', '--package', sparkKafkaPackage(), '--ivy', IVY,
  ];
  if (options.endOffsets) args.push('--end-offsets', JSON.stringify(options.endOffsets));
  return args;
}
