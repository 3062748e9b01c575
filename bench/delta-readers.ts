// npm run bench:delta-readers [-- --events N]
// Writes a Delta table with `gamepipe-run --once` (the horse purchases example job, format: delta,
// on a local disk) from N seed-like events, then reads it with three independent readers: PySpark
// with delta-spark, delta-rs (the Python `deltalake` package) and `gamepipe query` (DuckDB over the
// log's live files), and prints their row counts, which must agree.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GAMEPIPE_RUN, retargetJobFile } from './compare/gamepipe.js';
import { prepareSpark, sparkEnv } from './compare/spark.js';
import { produceEvents } from './workload/producer.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const GAMEPIPE = join(ROOT, 'bin/gamepipe.js');
const IVY = join(ROOT, 'bench/.venv/ivy2');
// Delta 3.2 is the line built for Spark 3.5 (the pinned PySpark), Scala 2.12.
const DELTA_SPARK = 'io.delta:delta-spark_2.12:3.2.1';
const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' } } });
const events = Number(values.events);

const spark = prepareSpark((line) => console.log(line));
if (!spark.ok) throw new Error(spark.reason);

const topic = `bench-delta-${Date.now()}`;
await produceEvents(topic, events, { partitions: 2, log: () => {} });
const dir = mkdtempSync(join(tmpdir(), 'gamepipe-bench-delta-'));
const { file, doc } = retargetJobFile(join(ROOT, 'jobs/horse_purchases.job.yaml'), dir, topic, `bench${Date.now()}`);
const table = join(dir, 'data/horse_purchases');
doc.setIn(['sink', 'format'], 'delta');
doc.setIn(['sink', 'path'], table);
writeFileSync(file, doc.toString());
execFileSync(process.execPath, [GAMEPIPE_RUN, '--once', '.'], { cwd: dir, stdio: 'inherit', env: { ...process.env, GAMEPIPE_LOG_LEVEL: 'warn' } });

const job = String(doc.get('job'));
const query = JSON.parse(execFileSync(process.execPath, [GAMEPIPE, 'query', '--jobs', '.', '--json', `SELECT count(*) AS n FROM ${job}`], { cwd: dir, encoding: 'utf8' })) as { n: number }[];
const deltaRs = JSON.parse(
  execFileSync(process.env.GAMEPIPE_PYTHON ?? 'python3', ['-c', `import json,os,sys\nfrom deltalake import DeltaTable\nt=DeltaTable(sys.argv[1])\nprint(json.dumps({'rows': t.to_pyarrow_table(columns=['event_id']).num_rows, 'version': t.version()}))\nsys.stdout.flush()\nos._exit(0)`, table], { encoding: 'utf8' }),
) as { rows: number; version: number };
const read = spawnSync(spark.python, [join(ROOT, 'bench/spark/read_delta.py'), '--table', table, '--package', DELTA_SPARK, '--ivy', IVY], { encoding: 'utf8', env: sparkEnv(spark.python), timeout: 900_000 });
if (read.status !== 0) throw new Error(`PySpark could not read the table: ${read.stderr.trim().split('\n').slice(-5).join(' | ')}`);
const sparkRead = JSON.parse(read.stdout.trim().split('\n').at(-1)!) as { rows: number; version: number };

console.log(`\n| reader | rows | version |\n| --- | --- | --- |`);
console.log(`| PySpark ${spark.version} + ${DELTA_SPARK} | ${sparkRead.rows} | ${sparkRead.version} |`);
console.log(`| delta-rs (deltalake) | ${deltaRs.rows} | ${deltaRs.version} |`);
console.log(`| gamepipe query (DuckDB) | ${query[0]!.n} | |`);
const agree = sparkRead.rows === deltaRs.rows && deltaRs.rows === query[0]!.n && sparkRead.version === deltaRs.version;
console.log(agree ? '\nall readers agree' : '\nREADERS DISAGREE');
rmSync(dir, { recursive: true, force: true });
process.exit(agree ? 0 : 1);
