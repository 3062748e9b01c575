// The contenders of `npm run bench`: how each is prepared (untimed) and the command that makes it
// process the whole topic (drain) or follow it until SIGTERM (stream, for latency).
import { fileURLToPath } from 'node:url';
import { ensureKcat, kcatArgs } from '../baselines/kcat.js';
import type { BenchTable } from '../workload/tables.js';
import { GAMEPIPE_RUN, gamepipeUnavailable, prepareGamepipeJobs } from './gamepipe.js';
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

function gamepipeRun(ctx: RunContext, once: boolean): ContenderRun {
  const jobs = prepareGamepipeJobs(ctx.dir, ctx.topic);
  const files = Object.values(jobs).map((j) => j.file);
  return {
    command: process.execPath,
    // Streaming runs serve no metrics: the default port may belong to a running `npm start`.
    args: [GAMEPIPE_RUN, ...(once ? ['--once'] : ['--metrics-port', '0']), ...files],
    cwd: ctx.dir,
    env: { ...process.env, KAFKA_BROKERS: ctx.brokers.join(',') },
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
