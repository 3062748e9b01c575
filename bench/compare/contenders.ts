// The contenders of `npm run bench`: how each is prepared (untimed) and the command that makes it
// process the whole topic (drain) or follow it until SIGTERM (stream, for latency).
import { fileURLToPath } from 'node:url';
import { ensureKcat, kcatArgs } from '../baselines/kcat.js';
import type { BenchTable } from '../workload/tables.js';
import { localBrokerPort } from '../../src/broker/brokers.js';
import { prepareBrokerSecurity, secureListenerPorts, writeClientProperties } from '../../src/broker/broker-security.js';
import { brokerPaths } from '../../src/broker/local-broker.js';
import { usesExternalCluster } from '../../src/kafka/connection-settings.js';
import { portIsFree } from '../../src/local-service/ports.js';
import { GAMEPIPE_RUN, gamepipeUnavailable, partitionedJob, prepareGamepipeJobs, type JobEdit } from './gamepipe.js';
import { prepareSpark, sparkEnv, sparkJobArgs, type SparkSetup } from './spark.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KAFKAJS_BASELINE = fileURLToPath(new URL('../baselines/kafkajs-consumer.ts', import.meta.url));

/** Where one table of a contender's output lives and how event fields map to its columns. */
export interface TableOutput {
  dir: string;
  columnOf: (field: string) => string;
}

/** A command that runs a contender, plus where its tables land (none for the baselines). */
export interface ContenderRun {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  discardStdout?: boolean;
  tables?: Record<BenchTable['name'], TableOutput>;
}

/** What a run is about: the topic, the broker, the end offsets and a fresh folder of its own. */
export interface RunContext {
  topic: string;
  brokers: string[];
  /** partition -> end offset of the topic; drain runs stop there. */
  endOffsets: Record<string, number>;
  dir: string;
}

/** One contender of the benchmark. */
export interface Contender {
  name: string;
  /** What it is, for the report. */
  description: string;
  kind: 'pipeline' | 'baseline';
  /** Untimed preparation; returns why the contender cannot run here, or undefined. */
  prepare(log: (line: string) => void): Promise<string | undefined>;
  drain(ctx: RunContext): ContenderRun;
  /** Runs until SIGTERM, following the topic (only pipelines). */
  stream?(ctx: RunContext): ContenderRun;
}

let sparkSetup: SparkSetup | undefined;
function spark(log: (line: string) => void): SparkSetup {
  sparkSetup ??= prepareSpark(log);
  return sparkSetup;
}
function sparkPython(): string {
  if (!sparkSetup?.ok) throw new Error('spark is not prepared');
  return sparkSetup.python;
}

const sparkTables = (dir: string) =>
  Object.fromEntries(
    (['sword_purchases', 'horse_purchases', 'guild_actions'] as const).map((t) => [t, { dir: `${dir}/out/${t}`, columnOf: (f: string) => f }]),
  ) as Record<BenchTable['name'], TableOutput>;

function sparkContender(variant: 'udf' | 'builtin', drainTrigger: string, streamTrigger: string, description: string): Contender {
  const run = (ctx: RunContext, trigger: string, drain: boolean): ContenderRun => ({
    command: sparkPython(),
    args: sparkJobArgs({ variant, topic: ctx.topic, brokers: ctx.brokers, outDir: `${ctx.dir}/out`, trigger, endOffsets: drain ? ctx.endOffsets : undefined }),
    cwd: ctx.dir,
    env: sparkEnv(sparkPython()),
    tables: sparkTables(ctx.dir),
  });
  return {
    name: `spark-${variant}`,
    description,
    kind: 'pipeline',
    prepare: async (log) => {
      const s = spark(log);
      return s.ok ? undefined : s.reason;
    },
    drain: (ctx) => run(ctx, drainTrigger, true),
    stream: (ctx) => run(ctx, streamTrigger, false),
  };
}

/**
 * The local broker's SASL_SSL client properties (SCRAM-SHA-512 over TLS), written when the broker
 * runs with its secure listeners (`gamepipe kafka up --security sasl_ssl`); undefined with the
 * reason when it cannot be used.
 */
let saslSslFile: string | undefined;
async function prepareSaslSsl(): Promise<string | undefined> {
  if (usesExternalCluster()) return 'not available (measured against the local broker only: KAFKA_BROKERS names another cluster)';
  const port = localBrokerPort();
  const root = brokerPaths(port).root;
  const security = await prepareBrokerSecurity(root, secureListenerPorts(port));
  saslSslFile = (await writeClientProperties(root, security)).saslSsl;
  const { saslSslPort } = secureListenerPorts(port);
  if (await portIsFree(saslSslPort)) return `not available (no SASL_SSL listener on 127.0.0.1:${saslSslPort}: start the broker with 'gamepipe kafka up --security sasl_ssl')`;
  return undefined;
}

// `settingsFile`: the runner reads its connection settings from that properties file (and not
// from KAFKA_BROKERS), as a user of a secured cluster does. `edit` changes the copied job files.
function gamepipeRun(ctx: RunContext, once: boolean, variant: { settingsFile?: string; edit?: JobEdit } = {}): ContenderRun {
  const { settingsFile, edit } = variant;
  const jobs = prepareGamepipeJobs(ctx.dir, ctx.topic, edit);
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: ctx.brokers.join(',') };
  if (settingsFile) {
    delete env.KAFKA_BROKERS;
    env.KAFKA_CONFIG_FILE = settingsFile;
  }
  const files = Object.values(jobs).map((j) => j.file);
  return {
    command: process.execPath,
    // Streaming runs serve no metrics: the default port may belong to a running `npm start`.
    args: [GAMEPIPE_RUN, ...(once ? ['--once'] : ['--metrics-port', '0']), ...files],
    cwd: ctx.dir,
    env,
    tables: Object.fromEntries(Object.entries(jobs).map(([t, j]) => [t, { dir: j.tableDir, columnOf: j.columnOf }])) as Record<
      BenchTable['name'],
      TableOutput
    >,
  };
}

/** Every contender, in the order they run. */
export const CONTENDERS: Contender[] = [
  {
    name: 'gamepipe',
    description: 'gamepipe-run --once over the three example jobs',
    kind: 'pipeline',
    prepare: async () => gamepipeUnavailable(),
    drain: (ctx) => gamepipeRun(ctx, true),
    stream: (ctx) => gamepipeRun(ctx, false),
  },
  {
    name: 'gamepipe-sasl-ssl',
    description: 'gamepipe-run --once over the same jobs, through the local broker\'s SASL_SSL listener (SCRAM-SHA-512)',
    kind: 'pipeline',
    prepare: async () => gamepipeUnavailable() ?? (await prepareSaslSsl()),
    drain: (ctx) => gamepipeRun(ctx, true, { settingsFile: saslSslFile }),
    stream: (ctx) => gamepipeRun(ctx, false, { settingsFile: saslSslFile }),
  },
  {
    name: 'gamepipe-partitioned',
    description: 'gamepipe-run --once over the same jobs, each with a computed column more and partition_by [event_type, hour(event_ts)]',
    kind: 'pipeline',
    prepare: async () => gamepipeUnavailable(),
    drain: (ctx) => gamepipeRun(ctx, true, { edit: partitionedJob }),
    stream: (ctx) => gamepipeRun(ctx, false, { edit: partitionedJob }),
  },
  sparkContender('udf', '10 seconds', '10 seconds', 'PySpark, as the original: Python UDF filter, 10 s trigger'),
  sparkContender('builtin', 'available-now', 'asap', 'PySpark, fair: built-in filter, availableNow (latency: default trigger)'),
  {
    name: 'kcat',
    description: 'kcat -C -e to /dev/null (librdkafka read floor)',
    kind: 'baseline',
    prepare: async (log) => {
      try {
        ensureKcat(log);
        return undefined;
      } catch (err) {
        return `kcat could not be installed: ${(err as Error).message.split('\n')[0]}`;
      }
    },
    drain: (ctx) => ({ command: 'kcat', args: kcatArgs(ctx.topic, ctx.brokers), cwd: ctx.dir, discardStdout: true }),
  },
  {
    name: 'kafkajs',
    description: 'plain kafkajs consumer doing nothing',
    kind: 'baseline',
    prepare: async () => undefined,
    drain: (ctx) => ({
      command: process.execPath,
      args: ['--import', 'tsx', KAFKAJS_BASELINE, ctx.topic, ctx.brokers.join(',')],
      cwd: ROOT,
    }),
  },
];
